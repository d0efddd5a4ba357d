package testkit_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

func TestClock(t *testing.T) {
	t0 := time.UnixMilli(1_700_000_000_000)
	c := testkit.NewClock(t0)
	if got := c.Advance(time.Hour); !got.Equal(t0.Add(time.Hour)) || !c.Now().Equal(got) {
		t.Fatalf("Advance = %v, Now = %v", got, c.Now())
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Set: Now = %v", c.Now())
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	s := testkit.Wrap(memstore.New())
	r := narvik.Record{ID: "a", UserID: "u", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Fail(true)
	if _, err := s.FetchSession(ctx, "a"); !errors.Is(err, testkit.ErrDown) {
		t.Fatalf("FetchSession while failing = %v", err)
	}
	s.Fail(false)
	if _, err := s.FetchSession(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if s.Calls(testkit.Save) != 1 || s.Calls(testkit.Fetch) != 2 || s.Total() != 3 {
		t.Fatalf("calls: save %d, fetch %d, total %d; want 1, 2, 3", s.Calls(testkit.Save), s.Calls(testkit.Fetch), s.Total())
	}
}

func TestRunExample(t *testing.T) {
	testkit.RunExample(t, func() { fmt.Println("hello") }, "hello\n")
	// Output that differs fails, and says what was printed.
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.RunExample(r, func() { fmt.Println("goodbye") }, "hello\n")
	}()
	<-done
	if len(r.failed) != 1 || !strings.Contains(r.failed[0], "goodbye") {
		t.Fatalf("RunExample with other output reported %q; want one failure that shows the output", r.failed)
	}
}

func TestWaitFor(t *testing.T) {
	n := 0
	if !testkit.WaitFor(time.Second, func() bool { n++; return n == 3 }) || n != 3 {
		t.Fatalf("WaitFor: n = %d", n)
	}
	if testkit.WaitFor(30*time.Millisecond, func() bool { return false }) {
		t.Fatal("WaitFor of a condition that never holds = true")
	}
}

// flaky is a store that, by mode, works, fails, hangs until its context
// ends, or answers "not found" (a store that turns an outage into a
// signed-out user): the outages of TestRunOutage.
type flaky struct {
	narvik.SessionStore
	mode atomic.Int32

	mu      sync.Mutex
	updates []time.Time // the expiries UpdateSessionExpiry was given outside working mode
}

// UpdateSessionExpiry records what the scenario writes during an outage,
// and writes it, as a frozen server does when it resumes.
func (f *flaky) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if f.mode.Load() != working {
		f.mu.Lock()
		f.updates = append(f.updates, expiresAt)
		f.mu.Unlock()
	}
	return f.SessionStore.UpdateSessionExpiry(ctx, id, expiresAt)
}

const (
	working int32 = iota
	failing
	hanging
	hidingDeadline // hangs, then reports ErrDown instead of ctx.Err()
	lying
)

func (f *flaky) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	switch f.mode.Load() {
	case failing:
		return narvik.Record{}, testkit.ErrDown
	case hanging:
		<-ctx.Done()
		return narvik.Record{}, ctx.Err()
	case hidingDeadline:
		<-ctx.Done()
		return narvik.Record{}, testkit.ErrDown
	case lying:
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return f.SessionStore.FetchSession(ctx, id)
}

// outage is an Outage that puts s in mode.
func (f *flaky) outage(name string, mode int32) testkit.Outage {
	return testkit.Outage{Name: name, Begin: func() { f.mode.Store(mode) }, End: func() { f.mode.Store(working) }, Hangs: mode == hanging || mode == hidingDeadline}
}

// recorder is a testing.TB that records failures instead of failing the
// test, to show that RunOutage catches a store that misbehaves.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.Errorf("%s", fmt.Sprint(args...)); runtime.Goexit() }

// runOutage runs RunOutage on a flaky store under a recorder and returns
// what it reported.
func runOutage(t *testing.T, outage func(f *flaky) testkit.Outage) []string {
	f := &flaky{SessionStore: memstore.New()}
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testkit.RunOutage(r, f, testkit.OutageOptions{Workers: 4, CallTimeout: 50 * time.Millisecond}, outage(f))
	}()
	<-done
	return r.failed
}

func TestRunOutage(t *testing.T) {
	// Only FetchSession fails, so the check that every store method fails
	// during the outage reports the six others; nothing else may fail.
	for _, mode := range []int32{failing, hanging} {
		var store *flaky
		failed := runOutage(t, func(f *flaky) testkit.Outage { store = f; return f.outage("outage", mode) })
		// The writes the scenario sends during the outage reach this store
		// (as a frozen server applies them when it resumes): they must leave
		// the session as created, 30 days long, or every validation after
		// the outage would have to extend it.
		if len(store.updates) == 0 {
			t.Errorf("mode %d: RunOutage called no UpdateSessionExpiry during the outage", mode)
		}
		for _, exp := range store.updates {
			if time.Until(exp) < 29*24*time.Hour {
				t.Errorf("mode %d: during the outage RunOutage set the session to expire at %v, %v from now; want its own 30-day expiry", mode, exp, time.Until(exp).Round(time.Minute))
			}
		}
		if len(failed) != 6 {
			t.Errorf("mode %d: RunOutage reported %d failures, want the 6 store methods that did not fail:\n%s", mode, len(failed), strings.Join(failed, "\n"))
		}
		for _, msg := range failed {
			if !strings.Contains(msg, "returned no error") {
				t.Errorf("mode %d: RunOutage reported %q of a store that failed as it should", mode, msg)
			}
		}
	}
}

func TestRunOutageCatchesAMisbehavingStore(t *testing.T) {
	for _, c := range []struct {
		name string
		mode int32
		want []string
	}{
		{"not found", lying, []string{"no session and no error", "FetchSession returned narvik: session not found; an outage must not look like an answer"}},
		{"deadline hidden", hidingDeadline, []string{"calls begun and ended during the outage ended at their deadline", "FetchSession returned testkit: store is down; want an error matching context.DeadlineExceeded"}},
	} {
		failed := strings.Join(runOutage(t, func(f *flaky) testkit.Outage { return f.outage(c.name, c.mode) }), "\n")
		for _, want := range c.want {
			if !strings.Contains(failed, want) {
				t.Errorf("%s: RunOutage did not report %q; it reported:\n%s", c.name, want, failed)
			}
		}
	}
}
