package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// callResult is one ValidateSession call seen by a worker.
type callResult struct {
	start, end time.Time
	session    *narvik.Session[struct{}]
	err        error
}

// tally counts the calls that started after a moment, by outcome, so that
// the test waits for states ("16 calls that began during the outage have
// failed") rather than for durations.
type tally struct {
	mu         sync.Mutex
	since      time.Time
	ok, failed int
}

// from starts counting again, from calls that start after now.
func (c *tally) from(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.since, c.ok, c.failed = now, 0, 0
}

func (c *tally) add(r callResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !r.start.After(c.since):
	case r.err == nil:
		c.ok++
	default:
		c.failed++
	}
}

func (c *tally) counts() (ok, failed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok, c.failed
}

// TestOutageAndRecovery runs concurrent ValidateSession calls through
// narvik.New against a private DynamoDB Local through two outages: the
// server killed (SIGKILL) and started again on the same port with the same
// data directory, then the server frozen (SIGSTOP: connections accepted,
// nothing answers) and resumed. It checks that every call returns the
// session or an error, never "no session" (nil, nil) and never another
// session; that every call made during an outage failed, and that calls
// begun while the server was frozen ended at their context deadline while
// it was still frozen; that the same client and store recover without being
// rebuilt; and that no goroutine is left behind.
//
// Every wait is for a state (so many calls begun after a moment have
// succeeded or failed), bounded by minutes, never a fixed duration: an
// earlier version ended the frozen window after a fixed two seconds and
// then required some call to have begun and ended inside it, which a slow
// machine could miss (the workers' calls at the freeze time out together a
// second later, and their next calls end just after two seconds), and it
// bounded every call's wall time, which a loaded machine exceeds.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv := startLocal(t)

	// A client as an application would build it, with a retryer that gives
	// up after two attempts so that a dead server is reported quickly, and an
	// HTTP transport whose idle connections the test can close.
	httpClient, tr := testHTTPClient()
	client := newClient(t, "http://"+srv.Addr(), func(o *dynamodb.Options) {
		o.HTTPClient = httpClient
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.MaxBackoff = 100 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	store, err := dynamostore.New(client, uniqueTable(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := store.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	n, err := narvik.New[struct{}](store)
	if err != nil {
		t.Fatal(err)
	}
	created, err := n.CreateSession(ctx, "user-1", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	token, wantID := created.Token, created.Session.ID

	const workers = 16
	const callDeadline = time.Second
	const stateWait = 2 * time.Minute // a bound, not an expectation
	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		results = make([][]callResult, workers)
		seen    tally
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				c, cancel := context.WithTimeout(ctx, callDeadline)
				r := callResult{start: time.Now()}
				r.session, r.err = n.ValidateSession(c, token)
				r.end = time.Now()
				cancel()
				results[w] = append(results[w], r)
				seen.add(r)
				if r.err != nil {
					// Pace failed calls as a real client would, so that 16
					// goroutines spinning on "connection refused" do not
					// starve the restarting server of CPU.
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	finish := func() {
		stop.Store(true)
		wg.Wait()
	}
	defer finish()

	// waitCalls waits until calls begun after since reach want successes or
	// failures.
	waitCalls := func(what string, since time.Time, ok bool, want int) {
		t.Helper()
		seen.from(since)
		held := testkit.WaitFor(stateWait, func() bool {
			o, f := seen.counts()
			return ok && o >= want || !ok && f >= want
		})
		if !held {
			o, f := seen.counts()
			t.Fatalf("%s: after %v, %d calls begun since succeeded and %d failed; want %d", what, stateWait, o, f, want)
		}
	}
	// outage runs one outage: 100 successes, begin it, wait until 2 calls
	// per worker begun during it have failed, end it, and wait until 100
	// calls begun after it succeeded (the client must recover by itself). It
	// returns when the outage began and when it was about to end.
	outage := func(name string, begin, end func()) (down, back time.Time) {
		t.Helper()
		waitCalls(name+": before the outage", time.Now(), true, 100)
		begin()
		down = time.Now()
		waitCalls(name+": during the outage", down, false, 2*workers)
		back = time.Now()
		end()
		waitCalls(name+": after the outage", time.Now(), true, 100)
		return down, back
	}
	killedAt, restartAt := outage("killed", srv.Kill, srv.Restart)
	frozenAt, thawAt := outage("frozen", srv.Freeze, srv.Thaw)
	finish()

	type window struct {
		name        string
		from, to    time.Time
		calls, errs int
		deadlines   int
	}
	windows := []*window{{name: "killed", from: killedAt, to: restartAt}, {name: "frozen", from: frozenAt, to: thawAt}}
	var slowest time.Duration
	total := 0
	for _, rs := range results {
		for _, r := range rs {
			total++
			switch {
			case r.err == nil && r.session == nil:
				t.Fatalf("ValidateSession returned no session and no error: a store failure was turned into \"signed out\"")
			case r.err == nil && r.session.ID != wantID:
				t.Fatalf("ValidateSession returned session %s, want %s", r.session.ID, wantID)
			case r.err != nil && r.session != nil:
				t.Fatalf("ValidateSession returned a session together with error %v", r.err)
			}
			slowest = max(slowest, r.end.Sub(r.start))
			for _, w := range windows {
				if r.start.After(w.from) && r.end.Before(w.to) {
					w.calls++
					if r.err != nil {
						w.errs++
					}
					if errors.Is(r.err, context.DeadlineExceeded) {
						w.deadlines++
					}
				}
			}
		}
	}
	for _, w := range windows {
		if w.calls == 0 || w.errs != w.calls {
			t.Fatalf("%s: %d of %d calls made during the outage failed; want all, and some", w.name, w.errs, w.calls)
		}
		t.Logf("%s for %v: %d calls during it, all failed (%d at their deadline)", w.name, w.to.Sub(w.from).Round(time.Millisecond), w.calls, w.deadlines)
	}
	// Calls begun while the server was frozen can only have ended before
	// the thaw by giving up at their deadline: the store honours ctx.
	if w := windows[1]; w.deadlines != w.calls {
		t.Fatalf("frozen: %d of the %d calls begun and ended during the freeze ended at their context deadline; want all", w.deadlines, w.calls)
	}
	// The same client, serially, after both outages: the session is intact.
	for range 20 {
		s, err := n.ValidateSession(ctx, token)
		if err != nil || s == nil || s.ID != wantID || s.UserID != "user-1" {
			t.Fatalf("ValidateSession after recovery = %+v, %v; want the session", s, err)
		}
	}
	t.Logf("%d calls in all; slowest %v (deadline %v)", total, slowest.Round(time.Millisecond), callDeadline)

	srv.Kill()
	tr.CloseIdleConnections()
	// Closed connections end their goroutines a moment later: wait for that
	// state (goleak's own retries last well under a second).
	testkit.WaitFor(30*time.Second, func() bool { return goleak.Find(ignore) == nil })
	goleak.VerifyNone(t, ignore)
}
