package redisstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// repeatingScan is a go-redis hook that makes every SCAN reply hold each
// key twice, and the keys of the previous reply again: what SCAN may do
// while the server resizes its key table, made certain.
type repeatingScan struct {
	last  []string
	scans int
}

func (h *repeatingScan) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *repeatingScan) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (h *repeatingScan) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if sc, ok := cmd.(*redis.ScanCmd); ok && err == nil {
			keys, cursor := sc.Val()
			h.scans++
			repeated := append(append(append([]string{}, keys...), keys...), h.last...)
			h.last = keys
			sc.SetVal(repeated, cursor)
		}
		return err
	}
}

// TestWalkYieldsEachSessionOnce: SCAN replies that repeat keys, within a
// reply and across replies, still give each live session exactly once.
func TestWalkYieldsEachSessionOnce(t *testing.T) {
	client := standaloneClient(t)
	s := newTestStore(t, client)
	ctx := context.Background()
	want := map[string]bool{}
	for i := range 300 {
		r := rec(newID(), string(rune('a'+i%7)), time.Hour)
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
		want[r.ID] = true
	}
	// The hook sits on a client of its own, so other tests are not affected.
	hooked := redis.NewClient(client.Options())
	t.Cleanup(func() { _ = hooked.Close() })
	h := &repeatingScan{}
	hooked.AddHook(h)
	hs, err := New(hooked, WithKeyPrefix(s.prefix))
	if err != nil {
		t.Fatal(err)
	}
	hs.scanCount = 20 // many pages
	seen := map[string]int{}
	for r, err := range hs.AllSessions(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		seen[r.ID]++
	}
	if h.scans < 2 {
		t.Fatalf("the walk made %d SCAN calls: the repeats across replies were not exercised", h.scans)
	}
	for id, n := range seen {
		if n != 1 || !want[id] {
			t.Errorf("session %s yielded %d times (one of ours: %v)", id, n, want[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("the walk yielded %d sessions, want %d", len(seen), len(want))
	}
}

// TestWalkFailsOnCorruptValue: a value under a session key that the package
// did not write ends the walk with one error wrapping narvik.ErrBadRecord.
func TestWalkFailsOnCorruptValue(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		if err := client.Set(ctx, s.sessionKey(newID()), "not a session", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		var errs int
		for _, err := range s.AllSessions(ctx) {
			if err == nil {
				continue
			}
			errs++
			if !errors.Is(err, narvik.ErrBadRecord) || !errors.Is(err, ErrCorruptRecord) {
				t.Fatalf("AllSessions over a corrupt value yielded %v, want an error wrapping narvik.ErrBadRecord and ErrCorruptRecord", err)
			}
		}
		if errs != 1 {
			t.Fatalf("AllSessions yielded %d errors, want 1", errs)
		}
	})
}
