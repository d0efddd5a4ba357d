package narvikotel

import (
	"context"
	"iter"

	"github.com/narvik-go/narvik"
)

// schemaEnsurer is the narvik.SchemaEnsurer part of a wrapper, present only
// when the wrapped store is one.
type schemaEnsurer struct {
	s    *store
	next narvik.SchemaEnsurer
}

// EnsureSchema ensures the wrapped store's schema, in a span.
func (x schemaEnsurer) EnsureSchema(ctx context.Context) error {
	ctx, c := x.s.begin(ctx, opEnsureSchema, "")
	err := x.next.EnsureSchema(ctx)
	c.end(ctx, err, -1)
	return err
}

// enumerator is the narvik.Enumerator part of a wrapper, present only when
// the wrapped store is one.
type enumerator struct {
	s    *store
	next narvik.Enumerator
}

// AllSessions walks the wrapped store. The span starts when the loop does
// and ends when it stops (its end, a break or an error), so it includes the
// time the loop's body took; db.response.returned_rows is the number of
// records the loop received.
func (x enumerator) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		ctx, c := x.s.begin(ctx, opAllSessions, "")
		var err error
		n := 0
		defer func() { c.end(ctx, err, n) }()
		for r, e := range x.next.AllSessions(ctx) {
			if e != nil {
				err = e
			} else {
				n++
			}
			if !yield(r, e) {
				return
			}
		}
	}
}
