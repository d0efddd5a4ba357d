package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

var contextChecks = []check{
	{"Cancelled", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		save(t, s, r)
		c, cancel := context.WithCancel(context.Background())
		cancel()
		calls := []struct {
			name string
			call func() error
		}{
			{"SaveSession", func() error { return s.SaveSession(c, newRecord("user-1")) }},
			{"FetchSession", func() error { _, err := s.FetchSession(c, r.ID); return err }},
			{"UpdateSessionExpiry", func() error { return s.UpdateSessionExpiry(c, r.ID, now().Add(2*time.Hour)) }},
			{"DeleteSession", func() error { return s.DeleteSession(c, r.ID) }},
			{"FetchSessionsForUser", func() error { _, err := s.FetchSessionsForUser(c, r.UserID); return err }},
			{"DeleteSessionsForUser", func() error { return s.DeleteSessionsForUser(c, r.UserID) }},
			{"DeleteAllExpiredSessions", func() error { _, err := s.DeleteAllExpiredSessions(c); return err }},
		}
		// The core never calls a store with a done context, so a store need
		// not check first; but an error it returns then must say why.
		for _, call := range calls {
			if err := call.call(); err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("%s with a cancelled context = %v, want nil or an error that errors.Is context.Canceled (storekit.Wrap keeps it matchable)", call.name, err)
			}
		}
	}},
}

func concurrencyChecks(d declared) []check {
	return []check{{"Mixed", func(t *testing.T, s narvik.SessionStore) {
		const workers, rounds = 12, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		kept := make([][]narvik.Record, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := mixedWorker(ctx(t), s, w, rounds, &kept[w]); err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if t.Failed() {
			return
		}
		var all []narvik.Record
		for _, k := range kept {
			all = append(all, k...)
		}
		assertUserHas(t, s, "shared", all...)
	}},
		{"Sweeps", func(t *testing.T, s narvik.SessionStore) {
			// Cleanup jobs on several machines sweep at the same time: together
			// they remove each expired record once, and the counts they return
			// add up to exactly the number removed.
			const expired, sweepers = 120, 4
			var live []narvik.Record
			for i := range expired {
				save(t, s, expiredRecord(fmt.Sprintf("u%d", i%7)))
			}
			for i := range 5 {
				r := newRecord(fmt.Sprintf("u%d", i))
				save(t, s, r)
				live = append(live, r)
			}
			counts := make([]int, sweepers)
			errs := make([]error, sweepers)
			var wg sync.WaitGroup
			for i := range sweepers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					counts[i], errs[i] = s.DeleteAllExpiredSessions(ctx(t))
				}()
			}
			wg.Wait()
			total := 0
			for i := range sweepers {
				if errs[i] != nil {
					t.Fatalf("concurrent DeleteAllExpiredSessions: %v", errs[i])
				}
				total += counts[i]
			}
			switch {
			case d.approximateExpiredCount && (total < 0 || total > expired):
				t.Fatalf("%d concurrent DeleteAllExpiredSessions returned %v, %d in all; the count is declared approximate, so want 0..%d in all", sweepers, counts, total, expired)
			case !d.approximateExpiredCount && total != expired:
				t.Fatalf("%d concurrent DeleteAllExpiredSessions returned %v, %d in all, want %d: each call counts only the records it removed itself", sweepers, counts, total, expired)
			}
			if n, err := s.DeleteAllExpiredSessions(ctx(t)); err != nil || n != 0 {
				t.Fatalf("DeleteAllExpiredSessions after the concurrent sweeps = %d, %v; want 0, nil", n, err)
			}
			for _, r := range live {
				if d := diff(fetch(t, s, r.ID), r); d != "" {
					t.Fatalf("a concurrent sweep changed a live record:%s", d)
				}
			}
		}},
	}
}

// mixedWorker saves, reads, updates, lists and deletes its own records of a
// user that all workers share, checking each answer, and keeps every other
// record so that the final listing can be checked.
func mixedWorker(ctx context.Context, s narvik.SessionStore, w, rounds int, kept *[]narvik.Record) error {
	for i := range rounds {
		r := newRecord("shared")
		if err := s.SaveSession(ctx, r); err != nil {
			return fmt.Errorf("SaveSession: %w", err)
		}
		got, err := s.FetchSession(ctx, r.ID)
		if err != nil {
			return fmt.Errorf("FetchSession after SaveSession: %w", err)
		}
		if d := diff(got, r); d != "" {
			return fmt.Errorf("FetchSession after SaveSession returned another record:%s", d)
		}
		r.ExpiresAt = r.ExpiresAt.Add(time.Duration(w+1) * time.Minute)
		if err := s.UpdateSessionExpiry(ctx, r.ID, r.ExpiresAt); err != nil {
			return fmt.Errorf("UpdateSessionExpiry: %w", err)
		}
		if got, err = s.FetchSession(ctx, r.ID); err != nil || !got.ExpiresAt.Equal(r.ExpiresAt) {
			return fmt.Errorf("FetchSession after UpdateSessionExpiry = %v, %v; want expiry %v", got.ExpiresAt, err, r.ExpiresAt)
		}
		list, err := s.FetchSessionsForUser(ctx, "shared")
		if err != nil {
			return fmt.Errorf("FetchSessionsForUser: %w", err)
		}
		found := false
		for _, l := range list {
			found = found || l.ID == r.ID
		}
		if !found {
			return fmt.Errorf("FetchSessionsForUser does not list a record saved by this goroutine (%d listed)", len(list))
		}
		if i%2 == 0 {
			*kept = append(*kept, r)
			continue
		}
		if err := s.DeleteSession(ctx, r.ID); err != nil {
			return fmt.Errorf("DeleteSession: %w", err)
		}
		if _, err := s.FetchSession(ctx, r.ID); !isNotFound(err) {
			return fmt.Errorf("FetchSession after DeleteSession = %v, want ErrSessionNotFound", err)
		}
	}
	return nil
}
