package storekit

import (
	"context"
	"iter"
	"time"

	"github.com/narvik-go/narvik"
)

// Page reads one page of a walk over a store: the records after cursor (the
// zero cursor is the start), the cursor of the next page, and whether this
// was the last page. A page may hold any number of records, none included.
type Page[C any] func(ctx context.Context, cursor C) (records []narvik.Record, next C, done bool, err error)

// Walk turns a paged read into the iterator of narvik.Enumerator. It calls
// page with the zero cursor, then with each cursor page returned, until a
// page says it was the last or the loop breaks. Records that are expired by
// the time they are yielded are skipped, so no expired record is ever
// yielded whatever the page function filtered. An error from page is
// yielded once, with a zero Record, and ends the walk; so does a done ctx.
//
// Walk keeps one page in memory at a time: the page size bounds the walk's
// memory, whatever the size of the store.
func Walk[C any](ctx context.Context, what string, page Page[C]) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		var cursor C
		for {
			if err := ctx.Err(); err != nil {
				yield(narvik.Record{}, Wrap(ctx, what, err))
				return
			}
			records, next, done, err := page(ctx, cursor)
			if err != nil {
				yield(narvik.Record{}, Wrap(ctx, what, err))
				return
			}
			now := time.Now()
			for _, r := range records {
				if !Live(r.ExpiresAt, now) {
					continue
				}
				if !yield(r, nil) {
					return
				}
			}
			if done {
				return
			}
			cursor = next
		}
	}
}
