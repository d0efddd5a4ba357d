package redisstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

func TestKeyLayout(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		users := []string{"a:b", "{a}", "a}{", "*", "a b", "a\x00b", "", "ünï"}
		var want []string
		for _, u := range users {
			r := rec(newID(), u, time.Hour)
			if err := s.SaveSession(ctx, r); err != nil {
				t.Fatal(err)
			}
			want = append(want, s.sessionKey(r.ID), s.indexKey(encodeUser(u)))
			if et := client.PExpireTime(ctx, s.sessionKey(r.ID)).Val(); et != time.Duration(r.ExpiresAt.UnixMilli())*time.Millisecond {
				t.Errorf("session key expires at %v ms, want %d", et.Milliseconds(), r.ExpiresAt.UnixMilli())
			}
			if sc := client.ZScore(ctx, s.indexKey(encodeUser(u)), r.ID).Val(); int64(sc) != r.ExpiresAt.UnixMilli() {
				t.Errorf("index score = %v, want %d", sc, r.ExpiresAt.UnixMilli())
			}
		}
		got := keysOf(t, client, s.prefix)
		if len(got) != len(want) {
			t.Fatalf("keys under the prefix = %q, want %q", got, want)
		}
		for _, k := range got {
			if _, ok := s.sessionIDOf(k); !ok && !s.isIndexKey(k) {
				t.Errorf("key %q is outside the store's key grammar", k)
			}
			if rest, ok := strings.CutPrefix(k, s.userPrefix); ok && !regexp.MustCompile(`^[A-Za-z0-9_-]*$`).MatchString(rest) {
				t.Errorf("index key %q carries bytes outside base64url", k)
			}
		}
	})
}

func TestKeyGrammar(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer c.Close()
	s, err := New(c, WithKeyPrefix("np:"))
	if err != nil {
		t.Fatal(err)
	}
	id := newID()
	for key, want := range map[string]bool{
		"np:u:" + encodeUser("alice"): true,
		"np:u:":                       true,  // the empty user ID
		"np:u:YWxpY2U=":               false, // padded
		"np:u:YWxpY2V":                false, // not canonical (stray bits)
		"np:u:s:" + id:                false, // a session of store "np:u:"
		"np:u:u:" + encodeUser("bob"): false, // an index of store "np:u:"
		"np:u:a b":                    false,
		"np:s:" + id:                  false,
	} {
		if got := s.isIndexKey(key); got != want {
			t.Errorf("isIndexKey(%q) = %v, want %v", key, got, want)
		}
	}
	for key, want := range map[string]bool{
		"np:s:" + id:                  true,
		"np:s:s:" + id:                false, // a session of store "np:s:"
		"np:s:" + strings.ToUpper(id): false,
		"np:s:" + id[:63]:             false,
		"np:s:" + id + "0":            false,
		"np:u:" + encodeUser("alice"): false,
	} {
		if _, got := s.sessionIDOf(key); got != want {
			t.Errorf("sessionIDOf(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestIndexLifetime(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		idx := s.indexKey(encodeUser("u"))
		noTTL := func(when string) {
			t.Helper()
			if ttl := client.PTTL(ctx, idx).Val(); ttl != -1 {
				t.Fatalf("%s the index has TTL %v, want none (-1)", when, ttl)
			}
		}
		short, long := rec(newID(), "u", time.Hour), rec(newID(), "u", 3*time.Hour)
		for _, r := range []narvik.Record{long, short} {
			if err := s.SaveSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		noTTL("after two saves")
		if err := s.UpdateSessionExpiry(ctx, short.ID, long.ExpiresAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		noTTL("after an extension")
		if err := s.DeleteSession(ctx, short.ID); err != nil {
			t.Fatal(err)
		}
		noTTL("after deleting one of two sessions")
		if err := s.DeleteSession(ctx, long.ID); err != nil {
			t.Fatal(err)
		}
		if n := client.Exists(ctx, idx).Val(); n != 0 {
			t.Fatal("the index outlived its last session")
		}

		// Only expired entries left: the sweep deletes the index.
		r := rec(newID(), "u", time.Hour)
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		s.now = func() time.Time { return r.ExpiresAt }
		if _, err := s.DeleteAllExpiredSessions(ctx); err != nil {
			t.Fatal(err)
		}
		if n := client.Exists(ctx, idx).Val(); n != 0 {
			t.Fatal("the sweep left an index whose entries had all expired")
		}
		s.now = time.Now

		// An index with a TTL, as earlier versions wrote them.
		for _, step := range []func() error{
			func() error { return s.SaveSession(ctx, rec(newID(), "u", time.Hour)) },
			func() error { _, err := s.DeleteAllExpiredSessions(ctx); return err },
		} {
			if err := client.PExpire(ctx, idx, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			if err := step(); err != nil {
				t.Fatal(err)
			}
			noTTL("after a write to an index an earlier version wrote")
		}
	})
}

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

func dump(t *testing.T, client redis.UniversalClient, keys []string) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&out, "%s=%s/%v/%q\n", k, client.Type(ctx, k).Val(), client.PTTL(ctx, k).Val() > 0, client.Dump(ctx, k).Val())
	}
	return out.String()
}

func TestDeleteAllExpiredTrimsOnlyItsPrefix(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		ctx := context.Background()
		base := randomPrefix()
		mine, err := New(client, WithKeyPrefix(base+"[a]*?\\"))
		if err != nil {
			t.Fatal(err)
		}
		other, err := New(client, WithKeyPrefix(base+"a*"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { deletePrefix(t, client, base) })
		past := float64(time.Now().Add(-time.Minute).UnixMilli())
		live := float64(time.Now().Add(time.Hour).UnixMilli())
		for _, s := range []*Store{mine, other} {
			idx := s.indexKey(encodeUser("u"))
			if err := client.ZAdd(ctx, idx, redis.Z{Score: past, Member: "old"}, redis.Z{Score: live, Member: "new"}).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := mine.DeleteAllExpiredSessions(ctx); n != 0 || err != nil {
			t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 0, nil", n, err)
		}
		if got := client.ZRange(ctx, mine.indexKey(encodeUser("u")), 0, -1).Val(); len(got) != 1 || got[0] != "new" {
			t.Errorf("own index after cleanup = %q, want [new]", got)
		}
		if n := client.ZCard(ctx, other.indexKey(encodeUser("u"))).Val(); n != 2 {
			t.Errorf("another prefix's index has %d entries after cleanup, want 2 (untouched)", n)
		}
	})
}
