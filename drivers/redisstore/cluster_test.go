package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

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
