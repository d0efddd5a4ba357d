package redisstore

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// both runs f on the standalone server and on the cluster.
func both(t *testing.T, f func(t *testing.T, client redis.UniversalClient)) {
	t.Run("Standalone", func(t *testing.T) { f(t, standaloneClient(t)) })
	t.Run("Cluster", func(t *testing.T) { f(t, clusterClient(t)) })
}

func rec(id, user string, expiresIn time.Duration) narvik.Record {
	now := time.Now().Truncate(time.Millisecond)
	return narvik.Record{ID: id, UserID: user, CreatedAt: now, ExpiresAt: now.Add(expiresIn), Data: []byte("data of " + id)}
}

// TestKeyLayout checks the documented layout: one string per session at
// <prefix>s:<id> expiring at its ExpiresAt, one sorted set per user at
// <prefix>u:<base64url(user)> scored by expiry, and nothing else. User IDs
// that carry key syntax reach no key unencoded.
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

// TestIndexLifetime: an index never has a TTL (so no volatile-* eviction
// policy can evict it), and it is deleted when it empties: when its last
// session is deleted, or when a sweep finds only expired entries. An index
// an earlier version wrote with a TTL loses it on the next write.
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

// TestStaleIndexEntries plays what a process that died between two slots'
// writes leaves behind (cluster path): index entries naming a missing
// session and another user's session. They are never listed, never make
// DeleteSessionsForUser touch another user, and are removed once their score
// passes.
func TestStaleIndexEntries(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		s.single = false
		ctx := context.Background()
		mine, theirs := rec(newID(), "me", time.Hour), rec(newID(), "them", time.Hour)
		for _, r := range []narvik.Record{mine, theirs} {
			if err := s.SaveSession(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		idx := s.indexKey(encodeUser("me"))
		soon := time.Now().Add(time.Minute)
		stale := []redis.Z{
			{Score: float64(soon.UnixMilli()), Member: "missing-session"},
			{Score: float64(soon.UnixMilli()), Member: theirs.ID},
		}
		if err := client.ZAdd(ctx, idx, stale...).Err(); err != nil {
			t.Fatal(err)
		}
		list, err := s.FetchSessionsForUser(ctx, "me")
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("FetchSessionsForUser = %d records, %v; want only the user's own session", len(list), err)
		}
		// The store's clock moves past the stale scores.
		s.now = func() time.Time { return soon.Add(time.Millisecond) }
		if _, err := s.DeleteAllExpiredSessions(ctx); err != nil {
			t.Fatal(err)
		}
		if n := client.ZCard(ctx, idx).Val(); n != 1 {
			t.Fatalf("index has %d entries after their scores passed, want 1", n)
		}
		// A stale entry with a live score must not let DeleteSessionsForUser
		// delete another user's session.
		s.now = time.Now
		if err := client.ZAdd(ctx, idx, redis.Z{Score: float64(time.Now().Add(time.Hour).UnixMilli()), Member: theirs.ID}).Err(); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSessionsForUser(ctx, "me"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FetchSession(ctx, theirs.ID); err != nil {
			t.Fatalf("another user's session after DeleteSessionsForUser(me): %v", err)
		}
		if _, err := s.FetchSession(ctx, mine.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatalf("own session after DeleteSessionsForUser = %v, want ErrSessionNotFound", err)
		}
	})
}

// TestDuplicateOfAnotherUser: in the cluster path SaveSession writes the
// index first; a refused duplicate takes its entry back.
func TestDuplicateOfAnotherUser(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		orig := rec(newID(), "owner", time.Hour)
		if err := s.SaveSession(ctx, orig); err != nil {
			t.Fatal(err)
		}
		dup := rec(orig.ID, "intruder", 2*time.Hour)
		if err := s.SaveSession(ctx, dup); !errors.Is(err, narvik.ErrDuplicateSession) {
			t.Fatalf("duplicate save = %v, want ErrDuplicateSession", err)
		}
		if n := client.Exists(ctx, s.indexKey(encodeUser("intruder"))).Val(); n != 0 {
			t.Fatal("a refused duplicate left an index for the other user")
		}
	})
}

// TestDeleteAllExpiredTrimsOnlyItsPrefix: the cleanup trims expired index
// entries under its own prefix, even one full of glob syntax, and touches no
// other store's keys.
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

// TestKeyGrammar: what the sweep and the walk accept as the store's own
// keys, and what they leave alone, prefixes that nest included.
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
