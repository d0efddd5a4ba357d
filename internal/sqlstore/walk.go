package sqlstore

import (
	"context"
	"iter"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// AllSessions walks the live rows in primary-key order, WalkPage rows per
// query, each query starting after the last ID of the one before (keyset
// pagination): every query is an index range read, no row is read twice,
// and nothing stays open while the caller's loop runs.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return storekit.Walk(ctx, s.d.Name+": walk sessions", s.page)
}

func (s *Store) page(ctx context.Context, after string) ([]narvik.Record, string, bool, error) {
	rows, err := s.q.Query(ctx, WalkPage, after, s.Now().UnixMilli(), s.WalkPage)
	if err != nil {
		return nil, "", false, err
	}
	defer rows.Close()
	out := make([]narvik.Record, 0, s.WalkPage)
	for rows.Next() {
		var r scanned
		if err := rows.Scan(&r.id, &r.userID, &r.expires, &r.created, &r.data); err != nil {
			return nil, "", false, err
		}
		if err := s.check(&r); err != nil {
			return nil, "", false, err
		}
		out = append(out, r.record())
		after = r.id
	}
	if err := rows.Close(); err != nil {
		return nil, "", false, err
	}
	return out, after, len(out) < s.WalkPage, nil
}
