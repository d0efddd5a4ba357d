package testkit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// TestMain doubles as the child server: with TESTKIT_LISTEN set, the test
// binary listens on that port and accepts connections until killed.
func TestMain(m *testing.M) {
	if port := os.Getenv("TESTKIT_LISTEN"); port != "" {
		l, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		for {
			c, err := l.Accept()
			if err != nil {
				os.Exit(4)
			}
			c.Close()
		}
	}
	os.Exit(m.Run())
}

func child(port int) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TESTKIT_LISTEN="+strconv.Itoa(port))
	return cmd
}

func TestStartServerRetriesAChildThatExits(t *testing.T) {
	calls := 0
	s := testkit.StartServer(t, testkit.ServerSpec{
		Name: "child",
		Command: func(port int, dir string) *exec.Cmd {
			calls++
			if calls < 3 { // as if another process had taken the port
				return exec.Command("sh", "-c", "echo 'bind: address already in use' >&2; exit 1")
			}
			return child(port)
		},
		Ready: testkit.Dial,
	})
	if calls != 3 || !testkit.Dial(s.Port) || !s.Running() {
		t.Fatalf("calls = %d, dial = %v, running = %v; want 3 starts and a live server", calls, testkit.Dial(s.Port), s.Running())
	}
	port := s.Port
	s.Kill()
	if s.Running() || testkit.Dial(port) {
		t.Fatal("the server still answers after Kill")
	}
	s.Restart()
	if s.Port != port || !testkit.Dial(port) {
		t.Fatalf("Restart: port %d (was %d), dial %v", s.Port, port, testkit.Dial(port))
	}
}

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

func TestFreezeStopsEveryThread(t *testing.T) {
	s := testkit.StartServer(t, testkit.ServerSpec{Name: "child", Command: func(port int, _ string) *exec.Cmd { return child(port) }, Ready: testkit.Dial})
	s.Freeze()
	// A frozen server accepts (the kernel does) but never answers; the
	// listener here closes every connection at once, so a read that gets
	// EOF within the timeout means a thread still ran.
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read from a frozen server = %v, want a timeout (nothing answers)", err)
	}
	s.Thaw()
	if !testkit.WaitFor(5*time.Second, func() bool {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			return false
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		_, err = c.Read(make([]byte, 1))
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	}) {
		t.Fatal("the thawed server does not close connections again")
	}
}

// flaky is a store that, by mode, works, fails, hangs until its context
// ends, or answers "not found" (a store that turns an outage into a
// signed-out user): the outages of TestRunOutage.
type flaky struct {
	narvik.SessionStore
	mode atomic.Int32
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
		failed := runOutage(t, func(f *flaky) testkit.Outage { return f.outage("outage", mode) })
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
