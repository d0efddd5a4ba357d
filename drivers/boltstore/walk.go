package boltstore

import (
	"context"
	"fmt"
	"iter"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// walkPage is how many records of the sessions bucket one read transaction
// of AllSessions visits. It bounds the walk's memory (one page of copied
// records) and how long a read transaction stays open.
const walkPage = 1000

// AllSessions yields every live session once, in session ID order
// (narvik.Enumerator), for migrations and operator tools.
//
// It reads the sessions bucket with a cursor in pages of 1,000 records, one
// read transaction per page, and holds none while the caller's loop runs:
// an open read transaction would keep bbolt from growing the file (its
// remap waits for every reader), so a writer in the loop, or beside it,
// would wait for the walk to end. Each page resumes after the last key of
// the previous one, so records saved during the walk are yielded when their
// ID sorts after the walk's position, and none is yielded twice. Records
// are copied out of bbolt's memory, as by every read.
//
// A record that does not decode ends the walk with an error wrapping
// ErrCorrupt (and narvik.ErrBadRecord).
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return storekit.Walk(ctx, "boltstore: walk sessions", s.walkPageAfter)
}

// walkPageAfter reads the page after the key last ("" for the first page:
// bbolt keys are never empty). The next cursor is the last key visited,
// expired or not, so a page of expired records still moves the walk on.
func (s *Store) walkPageAfter(_ context.Context, last string) ([]narvik.Record, string, bool, error) {
	if err := s.check("boltstore: walk sessions"); err != nil {
		return nil, last, false, err
	}
	var (
		page []narvik.Record
		next = last
		done bool
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		sessions, err := s.openSessions(tx)
		if err != nil {
			return err
		}
		now := time.Now()
		c := sessions.Cursor()
		k, v := c.Seek([]byte(last))
		if string(k) == last {
			k, v = c.Next()
		}
		for visited := 0; k != nil && visited < walkPage; k, v = c.Next() {
			visited++
			next = string(k)
			h, err := decodeHeader(v)
			if err != nil {
				return fmt.Errorf("session %q: %w", k, err)
			}
			if h.live(now) {
				page = append(page, h.record(next))
			}
		}
		done = k == nil
		return nil
	})
	return page, next, done, err
}
