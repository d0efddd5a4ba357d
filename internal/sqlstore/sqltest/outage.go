package sqltest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// Server is a server that a test can crash and start again.
type Server interface {
	Kill()
	Restart()
}

// callTimeout bounds each call of the outage scenario.
const callTimeout = 2 * time.Second

// outcome is one ValidateSession call of the outage scenario.
type outcome struct {
	start, end time.Time
	ok, err    bool
	wrong      string
}

// Outage kills srv while goroutines validate one session through narvik,
// and checks that while it is down every call of every store method fails
// (never a session, never "not found"), that no call outlives its
// deadline, and that after srv restarts the same store, on the same
// client, serves the session again. The caller closes its client and
// checks for leaked goroutines afterwards.
func Outage(t *testing.T, store narvik.SessionStore, srv Server) {
	t.Helper()
	auth, err := narvik.New[struct{ N int }](store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := auth.CreateSession(ctx, "user-1", struct{ N int }{7})
	if err != nil {
		t.Fatal(err)
	}
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
	for range 4 {
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
	count := func(cond func(o outcome) bool) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, o := range outcomes {
			if cond(o) {
				n++
			}
		}
		return n
	}
	waitFor := func(what string, n int, cond func(o outcome) bool) {
		t.Helper()
		if !testkit.WaitFor(30*time.Second, func() bool { return count(cond) >= n }) {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("timed out waiting for %d %s (saw %d)", n, what, count(cond))
		}
	}
	waitFor("successful calls before the outage", 20, func(o outcome) bool { return o.ok })

	srv.Kill()
	down := time.Now()
	waitFor("calls during the outage", 20, func(o outcome) bool { return o.start.After(down) })
	other := narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567")
	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"SaveSession", func(c context.Context) error {
			return store.SaveSession(c, narvik.Record{ID: other, UserID: "u", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()})
		}},
		{"FetchSession", func(c context.Context) error { _, err := store.FetchSession(c, res.Session.ID); return err }},
		{"UpdateSessionExpiry", func(c context.Context) error {
			return store.UpdateSessionExpiry(c, res.Session.ID, time.Now().Add(time.Hour))
		}},
		{"DeleteSession", func(c context.Context) error { return store.DeleteSession(c, other) }},
		{"FetchSessionsForUser", func(c context.Context) error { _, err := store.FetchSessionsForUser(c, "user-1"); return err }},
		{"DeleteSessionsForUser", func(c context.Context) error { return store.DeleteSessionsForUser(c, "nobody") }},
		{"DeleteAllExpiredSessions", func(c context.Context) error { _, err := store.DeleteAllExpiredSessions(c); return err }},
	}
	for _, c := range calls {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		start := time.Now()
		err := c.call(cctx)
		cancel()
		if err == nil || errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("%s with the server down = %v, want a store error", c.name, err)
		}
		if d := time.Since(start); d > callTimeout+time.Second {
			t.Errorf("%s with the server down took %v, past its %v deadline", c.name, d, callTimeout)
		}
	}

	up := time.Now()
	srv.Restart()
	ready := time.Now()
	waitFor("successful calls after the restart", 20, func(o outcome) bool { return o.ok && o.start.After(ready) })
	stop.Store(true)
	wg.Wait()

	during := 0
	for _, o := range outcomes {
		if o.wrong != "" {
			t.Errorf("ValidateSession returned %s", o.wrong)
		}
		if d := o.end.Sub(o.start); d > callTimeout+time.Second {
			t.Errorf("a ValidateSession call took %v, past its %v deadline", d, callTimeout)
		}
		if o.start.After(down) && o.end.Before(up) {
			during++
			if !o.err || o.ok {
				t.Errorf("a ValidateSession call during the outage returned ok=%v err=%v, want an error and no session", o.ok, o.err)
			}
		}
	}
	if during == 0 {
		t.Fatal("no ValidateSession call ran wholly inside the outage")
	}
	// After the restart every call succeeds again, on the same client.
	for i := range 20 {
		if o := validate(); !o.ok {
			t.Fatalf("ValidateSession %d after the restart failed", i)
		}
	}
	t.Logf("%d calls, %d wholly inside the outage of %v", len(outcomes), during, up.Sub(down).Round(time.Millisecond))
}
