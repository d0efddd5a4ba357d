package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// TestRoundTrips holds the cost of each operation, counted with a go-redis
// hook: a command sent alone or a pipeline sent whole is one round trip.
// Scripts are warmed up first, as in any running program: the first EVALSHA
// after a server start misses (NOSCRIPT) and is retried once with EVAL.
func TestRoundTrips(t *testing.T) {
	type costs struct{ fetch, save, update, shorten, del, forUser, delUser int64 }
	cases := []struct {
		name   string
		client func(t *testing.T) redis.UniversalClient
		want   costs
	}{
		// Standalone: every single-session operation is one round trip.
		{"Standalone", func(t *testing.T) redis.UniversalClient { return standaloneClient(t) },
			costs{fetch: 1, save: 1, update: 1, shorten: 1, del: 1, forUser: 2, delUser: 1}},
		// Cluster: one step per slot (see cluster.go). An extension raises
		// the index first (GET, index, session); shortening skips the index.
		{"Cluster", func(t *testing.T) redis.UniversalClient { return clusterClient(t) },
			costs{fetch: 1, save: 2, update: 3, shorten: 2, del: 2, forUser: 2, delUser: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			client := tc.client(t)
			s := newTestStore(t, client)
			ctx := context.Background()
			for _, sc := range allScripts {
				// ClusterClient.ScriptLoad loads on every master.
				if err := sc.Load(ctx, client).Err(); err != nil {
					t.Fatal(err)
				}
			}
			var c counter
			client.AddHook(&c)

			now := time.Now().Truncate(time.Millisecond)
			const users = 10
			records := make([]narvik.Record, 0, users*3)
			check := func(name string, want int64, f func() error) {
				t.Helper()
				var err error
				trips, cmds := c.measure(func() { err = f() })
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if trips != want {
					t.Errorf("%s took %d round trips (%d commands), want %d", name, trips, cmds, want)
				}
				t.Logf("%s: %d round trips, %d commands", name, trips, cmds)
			}
			// Many keys, so that in the cluster they spread over every master.
			for i := range users * 3 {
				r := narvik.Record{ID: newID(), UserID: string(rune('a' + i%users)), CreatedAt: now, ExpiresAt: now.Add(time.Hour), Data: []byte("d")}
				records = append(records, r)
				check("SaveSession", tc.want.save, func() error { return s.SaveSession(ctx, r) })
			}
			for _, r := range records {
				check("FetchSession", tc.want.fetch, func() error { _, err := s.FetchSession(ctx, r.ID); return err })
				check("UpdateSessionExpiry (extend)", tc.want.update, func() error { return s.UpdateSessionExpiry(ctx, r.ID, now.Add(2*time.Hour)) })
				check("UpdateSessionExpiry (shorten)", tc.want.shorten, func() error { return s.UpdateSessionExpiry(ctx, r.ID, now.Add(90*time.Minute)) })
			}
			check("FetchSessionsForUser", tc.want.forUser, func() error {
				list, err := s.FetchSessionsForUser(ctx, "a")
				if err == nil && len(list) != 3 {
					t.Errorf("FetchSessionsForUser listed %d, want 3", len(list))
				}
				return err
			})
			for _, r := range records[:users] {
				check("DeleteSession", tc.want.del, func() error { return s.DeleteSession(ctx, r.ID) })
			}
			check("DeleteSessionsForUser", tc.want.delUser, func() error { return s.DeleteSessionsForUser(ctx, "b") })
		})
	}
}

// TestScriptCacheFlushed shows that a server that lost its scripts (a
// restart, SCRIPT FLUSH) costs one extra round trip once, then none.
func TestScriptCacheFlushed(t *testing.T) {
	client := standaloneClient(t)
	s := newTestStore(t, client)
	ctx := context.Background()
	var c counter
	client.AddHook(&c)
	now := time.Now().Truncate(time.Millisecond)
	save := func() {
		t.Helper()
		r := narvik.Record{ID: newID(), UserID: "u", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	save()
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if trips, _ := c.measure(save); trips != 2 {
		t.Errorf("first save after SCRIPT FLUSH took %d round trips, want 2 (EVALSHA, then EVAL)", trips)
	}
	if trips, _ := c.measure(save); trips != 1 {
		t.Errorf("second save after SCRIPT FLUSH took %d round trips, want 1", trips)
	}
}
