package redisstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// TestNestedPrefixes: stores on one database whose prefixes nest ("np:",
// "np:u:", "np:s:", ...), plus keys the application wrote under the
// prefix, of every type. Each store's sweep succeeds, trims only its own
// expired index entries and touches nothing else; every store still lists,
// walks and deletes exactly its own sessions.
func TestNestedPrefixes(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		ctx := context.Background()
		base := randomPrefix()
		t.Cleanup(func() { deletePrefix(t, client, base) })
		var stores []*Store
		for _, p := range []string{"np:", "np:u:", "np:s:", "np:u:s:", "np:s:u:"} {
			s, err := New(client, WithKeyPrefix(base+p))
			if err != nil {
				t.Fatal(err)
			}
			stores = append(stores, s)
		}
		// Keys the application wrote under the prefixes, some in the shape
		// of the stores' own keys.
		hashKey := base + "np:s:" + newID()
		appKeys := []string{base + "np:u:app", base + "np:u:list", base + "np:u:h", base + "np:u:x:y",
			hashKey, base + "np:s:not-a-session", base + "np:u:s:set", base + "np:stream", base + "np:u:zz"}
		pipe := client.Pipeline()
		pipe.Set(ctx, appKeys[0], "v", 0)
		pipe.RPush(ctx, appKeys[1], "a")
		pipe.HSet(ctx, appKeys[2], "f", "v")
		pipe.ZAdd(ctx, appKeys[3], redis.Z{Score: 1, Member: "m"})
		pipe.HSet(ctx, appKeys[4], "f", "v")
		pipe.Set(ctx, appKeys[5], "v", time.Hour)
		pipe.SAdd(ctx, appKeys[6], "m")
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: appKeys[7], Values: []string{"f", "v"}})
		pipe.Set(ctx, appKeys[8], "v", 0) // the name of user "\xce" 's index, but a string
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		before := dump(t, client, appKeys)

		past := time.Now().Add(-time.Minute).UnixMilli()
		live := make(map[*Store]narvik.Record)
		for _, s := range stores {
			r := rec(newID(), "u", time.Hour)
			if err := s.SaveSession(ctx, r); err != nil {
				t.Fatal(err)
			}
			live[s] = r
			// An expired entry for the sweep to find.
			if err := client.ZAdd(ctx, s.indexKey(encodeUser("u")), redis.Z{Score: float64(past), Member: newID()}).Err(); err != nil {
				t.Fatal(err)
			}
		}
		for i, s := range stores {
			if n, err := s.DeleteAllExpiredSessions(ctx); n != 0 || err != nil {
				t.Fatalf("DeleteAllExpiredSessions of store %q = %d, %v; want 0, nil", s.prefix[len(base):], n, err)
			}
			if n := client.ZCard(ctx, s.indexKey(encodeUser("u"))).Val(); n != 1 {
				t.Errorf("store %q: its index has %d entries after its sweep, want 1 (the expired one trimmed)", s.prefix[len(base):], n)
			}
			for _, o := range stores[i+1:] {
				if n := client.ZCard(ctx, o.indexKey(encodeUser("u"))).Val(); n != 2 {
					t.Errorf("the sweep of %q changed the index of %q (%d entries, want 2)", s.prefix[len(base):], o.prefix[len(base):], n)
				}
			}
		}
		if after := dump(t, client, appKeys); after != before {
			t.Errorf("the sweeps changed the application's keys:\nbefore %s\nafter  %s", before, after)
		}
		for _, s := range stores {
			list, err := s.FetchSessionsForUser(ctx, "u")
			if err != nil || len(list) != 1 || list[0].ID != live[s].ID {
				t.Fatalf("store %q lists %d sessions (%v), want only its own", s.prefix[len(base):], len(list), err)
			}
			var walked []string
			for r, err := range s.AllSessions(ctx) {
				if err != nil {
					t.Fatalf("AllSessions of store %q: %v", s.prefix[len(base):], err)
				}
				walked = append(walked, r.ID)
			}
			if len(walked) != 1 || walked[0] != live[s].ID {
				t.Fatalf("AllSessions of store %q yielded %d sessions, want only its own", s.prefix[len(base):], len(walked))
			}
		}
		if err := stores[0].DeleteSessionsForUser(ctx, "u"); err != nil {
			t.Fatal(err)
		}
		for _, s := range stores[1:] {
			if _, err := s.FetchSession(ctx, live[s].ID); err != nil {
				t.Errorf("store %q lost its session to another store's DeleteSessionsForUser: %v", s.prefix[len(base):], err)
			}
		}
	})
}

// dump describes keys (type, TTL and content), to show that nothing
// touched them.
func dump(t *testing.T, client redis.UniversalClient, keys []string) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&out, "%s=%s/%v/%q\n", k, client.Type(ctx, k).Val(), client.PTTL(ctx, k).Val() > 0, client.Dump(ctx, k).Val())
	}
	return out.String()
}
