package redisstore

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// TestIndexHoldsEveryLiveSession races saves, extensions, deletes, listings
// and DeleteSessionsForUser of one user, on both code paths, then checks the
// invariant the cluster ordering exists for: every session that is still
// live is listed by FetchSessionsForUser (so "sign out everywhere" can reach
// it), and DeleteSessionsForUser then leaves none.
func TestIndexHoldsEveryLiveSession(t *testing.T) {
	paths := []struct {
		name   string
		client func(t *testing.T) redis.UniversalClient
		single bool
	}{
		{"Standalone", func(t *testing.T) redis.UniversalClient { return standaloneClient(t) }, true},
		{"PerSlotOnStandalone", func(t *testing.T) redis.UniversalClient { return standaloneClient(t) }, false},
		{"Cluster", func(t *testing.T) redis.UniversalClient { return clusterClient(t) }, false},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			s := newTestStore(t, p.client(t))
			s.single = p.single
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			const workers, perWorker = 6, 60
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				ids  []string
				errs = make(chan error, workers+1)
			)
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perWorker {
						r := rec(newID(), "racer", time.Hour)
						if err := s.SaveSession(ctx, r); err != nil {
							errs <- err
							return
						}
						mu.Lock()
						ids = append(ids, r.ID)
						mu.Unlock()
						var err error
						switch i % 3 {
						case 0:
							err = s.UpdateSessionExpiry(ctx, r.ID, r.ExpiresAt.Add(time.Hour))
						case 1:
							err = s.DeleteSession(ctx, r.ID)
						}
						if err != nil && !errors.Is(err, narvik.ErrSessionNotFound) {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 40 {
					var err error
					if i%10 == 9 {
						err = s.DeleteSessionsForUser(ctx, "racer")
					} else {
						_, err = s.FetchSessionsForUser(ctx, "racer")
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}

			list, err := s.FetchSessionsForUser(ctx, "racer")
			if err != nil {
				t.Fatal(err)
			}
			listed := make(map[string]bool, len(list))
			for _, r := range list {
				listed[r.ID] = true
			}
			live := 0
			for _, id := range ids {
				_, err := s.FetchSession(ctx, id)
				if errors.Is(err, narvik.ErrSessionNotFound) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				live++
				if !listed[id] {
					t.Errorf("session %s is live but FetchSessionsForUser does not list it", id)
				}
			}
			if live != len(list) {
				t.Errorf("%d live sessions, %d listed", live, len(list))
			}
			if err := s.DeleteSessionsForUser(ctx, "racer"); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if _, err := s.FetchSession(ctx, id); !errors.Is(err, narvik.ErrSessionNotFound) {
					t.Fatalf("session %s survived DeleteSessionsForUser: %v", id, err)
				}
			}
			t.Logf("%d sessions saved, %d live before the final sign-out", len(ids), live)
		})
	}
}
