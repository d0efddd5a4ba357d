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
)

// callResult is one ValidateSession call seen by a worker.
type callResult struct {
	start, end time.Time
	session    *narvik.Session[struct{}]
	err        error
}

// TestOutageAndRecovery runs concurrent ValidateSession calls through
// narvik.New against a private DynamoDB Local through two outages: the
// server killed (SIGKILL) and started again on the same port with the same
// data directory, then the server frozen (SIGSTOP: connections accepted,
// nothing answers) and resumed. It checks that every call returns the
// session or an error, never "no session" (nil, nil) and never another
// session; that every call made during an outage failed; that no call
// outlived its context deadline; that the same client and store recover
// without being rebuilt; and that no goroutine is left behind.
func TestOutageAndRecovery(t *testing.T) {
	srv := newLocalServer(t)
	ignore := goleak.IgnoreCurrent()
	srv.start()

	// A client as an application would build it, with a retryer that gives
	// up after two attempts so that a dead server is reported quickly, and an
	// HTTP transport whose idle connections the test can close.
	httpClient, tr := testHTTPClient()
	client := newClient(t, srv.url(), func(o *dynamodb.Options) {
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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := store.EnsureTable(ctx); err != nil {
		t.Fatalf("EnsureTable: %v", err)
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
	var (
		stop      atomic.Bool
		wg        sync.WaitGroup
		results   = make([][]callResult, workers)
		successes atomic.Int64
		failures  atomic.Int64
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
				if r.err == nil {
					successes.Add(1)
					continue
				}
				failures.Add(1)
				// Pace failed calls as a real client would, so that 16
				// goroutines spinning on "connection refused" do not starve
				// the restarting server of CPU.
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	finish := func() {
		stop.Store(true)
		wg.Wait()
	}
	defer finish()

	// outage runs one outage: begin it, wait until calls have failed for at
	// least minDown, end it, and wait until 200 calls succeeded again. It
	// returns when the outage began and ended.
	outage := func(name string, minDown time.Duration, begin, end func()) (down, back time.Time) {
		t.Helper()
		okBefore := successes.Load()
		if !waitFor(ctx, 30*time.Second, func() bool { return successes.Load() >= okBefore+200 }) {
			t.Fatalf("%s: before the outage only %d successes, want 200", name, successes.Load()-okBefore)
		}
		begin()
		down = time.Now()
		failedBefore := failures.Load()
		if !waitFor(ctx, 30*time.Second, func() bool {
			return time.Since(down) >= minDown && failures.Load() >= failedBefore+workers
		}) {
			t.Fatalf("%s: only %d calls failed during the outage", name, failures.Load()-failedBefore)
		}
		back = time.Now()
		end()
		okBefore = successes.Load()
		if !waitFor(ctx, 30*time.Second, func() bool { return successes.Load() >= okBefore+200 }) {
			t.Fatalf("%s: %d successes within 30 s of the end of the outage, want 200 (the client must recover by itself)", name, successes.Load()-okBefore)
		}
		return down, back
	}
	killedAt, restartAt := outage("killed", time.Second, srv.stop, srv.start)
	frozenAt, thawAt := outage("frozen", 2*callDeadline, srv.freeze, srv.thaw)
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
			took := r.end.Sub(r.start)
			slowest = max(slowest, took)
			if took > callDeadline+time.Second {
				t.Fatalf("a ValidateSession call took %v, past its %v deadline", took, callDeadline)
			}
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
	if windows[1].deadlines == 0 {
		t.Fatal("frozen: no call ended at its context deadline; the freeze was not observed")
	}
	// The same client, serially, after both outages: the session is intact.
	for range 20 {
		s, err := n.ValidateSession(ctx, token)
		if err != nil || s == nil || s.ID != wantID || s.UserID != "user-1" {
			t.Fatalf("ValidateSession after recovery = %+v, %v; want the session", s, err)
		}
	}
	t.Logf("%d calls in all; slowest %v (deadline %v)", total, slowest.Round(time.Millisecond), callDeadline)

	srv.stop()
	tr.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)
}
