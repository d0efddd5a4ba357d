package redisstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

type outcome struct {
	start, end time.Time
	ok, err    bool // a session came back / an error came back
	wrong      string
}

// TestOutageAndRecovery kills the server under concurrent ValidateSession
// calls and starts it again on the same port. During the outage every call
// returns an error, never a session and never (nil, nil), and none outlives
// its context deadline; after the restart the same client serves the same
// session again; after Close no goroutine is left.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	// go-redis logs every failed dial through a package-level logger; the
	// outage makes hundreds, and this test asserts on the errors instead.
	redis.SetLogger(discardLogger{})
	// Every write fsynced to the append-only file: a SIGKILL loses nothing,
	// and the restart brings the session back.
	srv := startRedis(t, "redis-server", "--appendonly", "yes", "--appendfsync", "always")
	client := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
	})
	store, err := New(client)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := narvik.New[struct{ N int }](store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := auth.CreateSession(ctx, "user-1", struct{ N int }{7})
	if err != nil {
		t.Fatal(err)
	}
	const callTimeout = time.Second
	const slack = 300 * time.Millisecond

	var (
		mu       sync.Mutex
		outcomes []outcome
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	validate := func() outcome {
		c, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		o := outcome{start: time.Now()}
		s, err := auth.ValidateSession(c, res.Token)
		o.end = time.Now()
		switch {
		case s != nil && err != nil:
			o.wrong = "a session and an error"
		case s != nil && (s.ID != res.Session.ID || s.Data.N != 7):
			o.wrong = "the wrong session"
		case s == nil && err == nil:
			o.wrong = "(nil, nil): the session was reported missing"
		}
		o.ok, o.err = s != nil, err != nil
		return o
	}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				o := validate()
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
			}
		}()
	}
	// waitFor polls a condition on the outcomes so far, with a deadline.
	waitFor := func(what string, cond func(o outcome) bool, n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			mu.Lock()
			c := 0
			for _, o := range outcomes {
				if cond(o) {
					c++
				}
			}
			mu.Unlock()
			if c >= n {
				return
			}
			if time.Now().After(deadline) {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("timed out waiting for %d %s (saw %d)", n, what, c)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitFor("successful calls before the outage", func(o outcome) bool { return o.ok }, 50)

	srv.Kill()
	down := time.Now()
	waitFor("calls during the outage", func(o outcome) bool { return o.start.After(down) }, 100)

	// With the server down, every store call fails (none says "not found").
	calls := map[string]func(context.Context) error{
		"SaveSession":  func(c context.Context) error { return store.SaveSession(c, rec(newID(), "u", time.Hour)) },
		"FetchSession": func(c context.Context) error { _, err := store.FetchSession(c, res.Session.ID); return err },
		"UpdateSessionExpiry": func(c context.Context) error {
			return store.UpdateSessionExpiry(c, res.Session.ID, time.Now().Add(time.Hour))
		},
		"DeleteSession":            func(c context.Context) error { return store.DeleteSession(c, newID()) },
		"FetchSessionsForUser":     func(c context.Context) error { _, err := store.FetchSessionsForUser(c, "user-1"); return err },
		"DeleteSessionsForUser":    func(c context.Context) error { return store.DeleteSessionsForUser(c, "nobody") },
		"DeleteAllExpiredSessions": func(c context.Context) error { _, err := store.DeleteAllExpiredSessions(c); return err },
	}
	for name, call := range calls {
		c, cancel := context.WithTimeout(ctx, callTimeout)
		start := time.Now()
		err := call(c)
		cancel()
		if err == nil || errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("%s with the server down = %v, want a store error", name, err)
		}
		if d := time.Since(start); d > callTimeout+slack {
			t.Errorf("%s with the server down took %v, past its %v deadline", name, d, callTimeout)
		}
	}

	up := time.Now()
	srv.Restart()
	ready := time.Now()
	waitFor("successful calls after the restart", func(o outcome) bool { return o.ok && o.start.After(ready) }, 100)
	stop.Store(true)
	wg.Wait()

	var during, okAfter int
	for _, o := range outcomes {
		if o.wrong != "" {
			t.Errorf("ValidateSession returned %s", o.wrong)
		}
		if d := o.end.Sub(o.start); d > callTimeout+slack {
			t.Errorf("a ValidateSession call took %v, past its %v deadline", d, callTimeout)
		}
		if o.start.After(down) && o.end.Before(up) {
			during++
			if !o.err || o.ok {
				t.Errorf("a ValidateSession call during the outage returned ok=%v err=%v, want an error and no session", o.ok, o.err)
			}
		}
		if o.start.After(ready) && o.ok {
			okAfter++
		}
	}
	t.Logf("%d calls in all, %d wholly inside the outage (%v), %d successful after the restart",
		len(outcomes), during, up.Sub(down).Round(time.Millisecond), okAfter)

	// After the restart the same client serves every call again.
	var failed atomic.Int64
	var wg2 sync.WaitGroup
	for range 100 {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			if o := validate(); !o.ok {
				failed.Add(1)
			}
		}()
	}
	wg2.Wait()
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of 100 concurrent ValidateSession calls failed after the restart", n)
	}

	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, ignore)
}
