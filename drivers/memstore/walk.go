package memstore

import (
	"context"
	"iter"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// walkPage is how many records the walk reads per lock.
const walkPage = 256

// AllSessions yields every live record (narvik.Enumerator). It copies the
// session IDs once, then reads the records a page at a time, so the lock is
// never held while the caller's loop runs. Records saved during the walk are
// not yielded; records deleted during it are skipped.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		s.mu.RLock()
		ids := make([]string, 0, len(s.sessions))
		for id := range s.sessions {
			ids = append(ids, id)
		}
		s.mu.RUnlock()
		page := func(_ context.Context, next int) ([]narvik.Record, int, bool, error) {
			end := min(next+walkPage, len(ids))
			out := make([]narvik.Record, 0, end-next)
			s.mu.RLock()
			for _, id := range ids[next:end] {
				if r, ok := s.sessions[id]; ok {
					out = append(out, r)
				}
			}
			s.mu.RUnlock()
			return out, end, end == len(ids), nil
		}
		storekit.Walk(ctx, "memstore: walk sessions", page)(yield)
	}
}
