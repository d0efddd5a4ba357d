package sqlstore

import "context"

// DeleteAllExpiredSessions deletes the rows that expired by now, in
// batches of SweepBatch rows found through the index on expires_at, each
// batch one statement (its own transaction), so that a large backlog never
// holds one long lock. The count is exact: a row is deleted by one
// statement only, and each statement reports what it deleted. Rows that
// expire while the sweep runs wait for the next one, so the loop ends.
//
// It returns the rows deleted so far along with an error.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	now := s.Now().UnixMilli()
	total := 0
	for {
		n, err := s.exec(ctx, Sweep, now, s.SweepBatch)
		total += int(n)
		if err != nil {
			return total, s.fail(ctx, "delete expired sessions", err)
		}
		if n < int64(s.SweepBatch) {
			return total, nil
		}
	}
}
