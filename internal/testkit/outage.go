package testkit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// Outage is one way a server goes away and comes back, for RunOutage.
type Outage struct {
	// Name names the outage in messages ("killed", "frozen").
	Name string
	// Begin takes the server away and returns once it is gone; End brings
	// it back and returns once it is ready.
	Begin, End func()
	// Hangs is true when the server, while away, accepts requests and never
	// answers (a frozen process): a call can then only end at its deadline,
	// and RunOutage checks that every call begun and ended during the outage
	// did, with an error matching context.DeadlineExceeded.
	Hangs bool
}

// Crashable is a server that a test can kill and start again, such as a
// Server (StartServer).
type Crashable interface {
	Kill()
	Restart()
}

// Killed is a crash: srv killed (SIGKILL) and started again on its port
// and folder.
func Killed(srv Crashable) Outage {
	return Outage{Name: "killed", Begin: srv.Kill, End: srv.Restart}
}

// OutageOptions tunes RunOutage; the zero value is the usual test.
type OutageOptions struct {
	// Workers is how many goroutines validate the session at once
	// (default 8).
	Workers int
	// CallTimeout is the deadline of every call (default 1 s).
	CallTimeout time.Duration
	// Slack is how long past its deadline a call may return before it
	// counts as one that ignored it (default 1 s): the scheduling of a
	// loaded machine, not waiting.
	Slack time.Duration
}

// The counts RunOutage waits for: successes before and after each outage,
// failures per worker during it, and the concurrent calls of the end.
const (
	outageSuccesses   = 50
	outageFailures    = 2
	outageRecovery    = 100
	outageStateWait   = 2 * time.Minute // a bound, not an expectation
	outageFailurePace = 20 * time.Millisecond
)

// outageData is the session data of RunOutage, checked on every success.
type outageData struct{ N int }

// outageCall is one ValidateSession call of RunOutage.
type outageCall struct {
	start, end time.Time
	err        error
	wrong      string // what was wrong with the answer, if anything
}

// RunOutage is the outage test every server-backed driver runs. Workers
// call ValidateSession on one session through narvik.New, each call with
// its deadline, while the server goes away and comes back through each
// outage in turn. It checks that
//   - every call returns the session or an error: never both, never
//     another session, never (nil, nil) (a failure turned into "signed
//     out"), never a panic, and none returns later than its deadline
//     allows;
//   - every call begun and ended during an outage failed, and some did;
//     during one that Hangs, each of them ended at its deadline;
//   - during each outage every store method (EnsureSchema and AllSessions
//     too, when the store has them) fails within its deadline, with an
//     error that is not an answer (ErrSessionNotFound,
//     ErrDuplicateSession);
//   - the same store, on the same client, serves the session again after
//     each outage without being rebuilt: 100 concurrent calls at the end.
//
// Every wait is for a state (so many calls begun after a moment have
// succeeded or failed), bounded by minutes, never a fixed duration. Calls
// that fail are paced (20 ms), as a real client's would be, so that the
// workers do not starve a restarting server of CPU. The caller owns the
// client: it closes it and checks for leaked goroutines afterwards.
func RunOutage(t testing.TB, store narvik.SessionStore, opts OutageOptions, outages ...Outage) {
	t.Helper()
	if opts.Workers == 0 {
		opts.Workers = 8
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = time.Second
	}
	if opts.Slack == 0 {
		opts.Slack = time.Second
	}
	ctx := context.Background()
	auth, err := narvik.New[outageData](store)
	if err != nil {
		t.Fatal(err)
	}
	created, err := auth.CreateSession(ctx, "outage-user", outageData{7})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	want := created.Session
	validate := func() (c outageCall) {
		cctx, cancel := context.WithTimeout(ctx, opts.CallTimeout)
		defer cancel()
		c.start = time.Now()
		defer func() {
			if r := recover(); r != nil {
				c.end, c.err, c.wrong = time.Now(), fmt.Errorf("panic: %v", r), fmt.Sprintf("a panic (%v)", r)
			}
		}()
		s, err := auth.ValidateSession(cctx, created.Token)
		c.end, c.err = time.Now(), err
		switch {
		case s != nil && err != nil:
			c.wrong = fmt.Sprintf("a session together with an error (%v)", err)
		case s == nil && err == nil:
			c.wrong = "no session and no error: a store failure turned into \"signed out\""
		case s != nil && (s.ID != want.ID || s.UserID != want.UserID || s.Data != want.Data):
			c.wrong = fmt.Sprintf("another session (%s of %q, %+v)", s.ID, s.UserID, s.Data)
		}
		return c
	}

	var (
		stop    atomic.Bool
		wg      sync.WaitGroup
		results = make([][]outageCall, opts.Workers)
		seen    tally
	)
	for w := range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				c := validate()
				results[w] = append(results[w], c)
				seen.add(c)
				if c.err != nil {
					time.Sleep(outageFailurePace)
				}
			}
		}()
	}
	finish := sync.OnceFunc(func() {
		stop.Store(true)
		wg.Wait()
	})
	defer finish()

	// waitCalls waits until calls begun after since reach want successes
	// (ok) or failures.
	waitCalls := func(what string, since time.Time, ok bool, want int) {
		t.Helper()
		seen.from(since)
		if !WaitFor(outageStateWait, func() bool {
			o, f := seen.counts()
			return ok && o >= want || !ok && f >= want
		}) {
			o, f := seen.counts()
			t.Fatalf("%s: after %v, %d calls begun since succeeded and %d failed; want %d", what, outageStateWait, o, f, want)
		}
	}
	type window struct {
		Outage
		from, to, ready       time.Time
		calls, errs, deadline int
	}
	windows := make([]*window, len(outages))
	for i, o := range outages {
		waitCalls(o.Name+": before the outage", time.Now(), true, outageSuccesses)
		o.Begin()
		w := &window{Outage: o, from: time.Now()}
		waitCalls(o.Name+": during the outage", w.from, false, outageFailures*opts.Workers)
		storeCallsFail(t, store, opts, o, want.ID, want.ExpiresAt)
		w.to = time.Now()
		o.End()
		w.ready = time.Now()
		waitCalls(o.Name+": after the outage", w.ready, true, outageSuccesses)
		windows[i] = w
	}
	finish()

	total, late := 0, 0
	var slowest time.Duration
	wrong := map[string]bool{}
	for _, rs := range results {
		for _, c := range rs {
			total++
			if c.wrong != "" && !wrong[c.wrong] {
				wrong[c.wrong] = true
				t.Errorf("ValidateSession returned %s", c.wrong)
			}
			took := c.end.Sub(c.start)
			if took > opts.CallTimeout+opts.Slack {
				late++
			}
			slowest = max(slowest, took)
			for _, w := range windows {
				if !c.start.After(w.from) || !c.end.Before(w.to) {
					continue
				}
				w.calls++
				if c.err != nil {
					w.errs++
				}
				if errors.Is(c.err, context.DeadlineExceeded) {
					w.deadline++
				}
			}
		}
	}
	if late > 0 {
		t.Errorf("%d ValidateSession calls returned past their %v deadline (+%v slack), the slowest after %v", late, opts.CallTimeout, opts.Slack, slowest)
	}
	for _, w := range windows {
		if w.calls == 0 || w.errs != w.calls {
			t.Errorf("%s: %d of the %d calls made during the outage failed; want all, and some", w.Name, w.errs, w.calls)
		}
		if w.Hangs && w.deadline != w.calls {
			t.Errorf("%s: %d of the %d calls begun and ended during the outage ended at their deadline; want all (the server never answers, so the store must honour ctx)", w.Name, w.deadline, w.calls)
		}
		t.Logf("%s for %v: %d calls during it, %d failed (%d at their deadline)", w.Name, w.to.Sub(w.from).Round(time.Millisecond), w.calls, w.errs, w.deadline)
	}

	// The same store and client after every outage: all of 100 concurrent
	// calls get the session.
	after := make([]outageCall, outageRecovery)
	var bwg sync.WaitGroup
	for i := range after {
		bwg.Go(func() { after[i] = validate() })
	}
	bwg.Wait()
	failed := 0
	for _, c := range after {
		if c.err != nil || c.wrong != "" {
			if failed == 0 {
				t.Errorf("after the outages, ValidateSession = %v %s; want the session", c.err, c.wrong)
			}
			failed++
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d concurrent ValidateSession calls after the outages failed", failed, outageRecovery)
	}
	t.Logf("%d calls in all; slowest %v (deadline %v)", total, slowest.Round(time.Millisecond), opts.CallTimeout)
}

// storeCallsFail calls every method of store at once, the server being
// away, and wants each to fail, within its deadline, with an error that is
// not an answer; during an outage that Hangs, with one that matches
// context.DeadlineExceeded. id and expiresAt are the live session's.
//
// A frozen server still queues the requests it accepted and applies them
// when it resumes, after the calls gave up: each write here must leave the
// session as it was. UpdateSessionExpiry writes the expiry the session has
// (once it set an hour from now, and after the outage every validation
// had to extend the session, so the final 100 concurrent validations were
// 200 requests: DynamoDB Local under CI load missed their deadline).
func storeCallsFail(t testing.TB, store narvik.SessionStore, opts OutageOptions, o Outage, id string, expiresAt time.Time) {
	t.Helper()
	other := narvik.SessionIDFromToken("outage-other-token")
	calls := map[string]func(context.Context) error{
		"SaveSession": func(ctx context.Context) error {
			return store.SaveSession(ctx, narvik.Record{ID: other, UserID: "outage-other", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()})
		},
		"FetchSession":             func(ctx context.Context) error { _, err := store.FetchSession(ctx, id); return err },
		"UpdateSessionExpiry":      func(ctx context.Context) error { return store.UpdateSessionExpiry(ctx, id, expiresAt) },
		"DeleteSession":            func(ctx context.Context) error { return store.DeleteSession(ctx, other) },
		"FetchSessionsForUser":     func(ctx context.Context) error { _, err := store.FetchSessionsForUser(ctx, "outage-user"); return err },
		"DeleteSessionsForUser":    func(ctx context.Context) error { return store.DeleteSessionsForUser(ctx, "outage-nobody") },
		"DeleteAllExpiredSessions": func(ctx context.Context) error { _, err := store.DeleteAllExpiredSessions(ctx); return err },
	}
	if se, ok := store.(narvik.SchemaEnsurer); ok {
		calls["EnsureSchema"] = se.EnsureSchema
	}
	if en, ok := store.(narvik.Enumerator); ok {
		calls["AllSessions"] = func(ctx context.Context) error {
			for _, err := range en.AllSessions(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		}
	}
	type result struct {
		name string
		err  error
		took time.Duration
	}
	results := make(chan result, len(calls))
	for name, call := range calls {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), opts.CallTimeout)
			defer cancel()
			start := time.Now()
			err := call(ctx)
			results <- result{name, err, time.Since(start)}
		}()
	}
	for range calls {
		r := <-results
		switch {
		case r.err == nil:
			t.Errorf("%s: %s returned no error", o.Name, r.name)
		case errors.Is(r.err, narvik.ErrSessionNotFound) || errors.Is(r.err, narvik.ErrDuplicateSession):
			t.Errorf("%s: %s returned %v; an outage must not look like an answer", o.Name, r.name, r.err)
		case o.Hangs && !errors.Is(r.err, context.DeadlineExceeded):
			t.Errorf("%s: %s returned %v; want an error matching context.DeadlineExceeded (nothing answers)", o.Name, r.name, r.err)
		}
		if r.took > opts.CallTimeout+opts.Slack {
			t.Errorf("%s: %s took %v, past its %v deadline (+%v slack)", o.Name, r.name, r.took, opts.CallTimeout, opts.Slack)
		}
	}
}

// tally counts the calls that started after a moment, by outcome, so that
// RunOutage waits for states ("16 calls begun during the outage have
// failed") rather than for durations. A wrong answer counts as a failure:
// it ends a wait during an outage, and never counts as a success.
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

func (c *tally) add(r outageCall) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !r.start.After(c.since):
	case r.err == nil && r.wrong == "":
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
