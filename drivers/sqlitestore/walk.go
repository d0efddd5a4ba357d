package sqlitestore

import (
	"context"
	"iter"

	"github.com/narvik-go/narvik"
)

// AllSessions yields every live session (narvik.Enumerator), 500 rows per
// query in primary-key order, each query starting after the last ID of the
// previous one.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return s.core.AllSessions(ctx)
}
