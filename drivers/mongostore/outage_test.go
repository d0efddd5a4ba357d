package mongostore_test

import (
	"context"
	"errors"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// callTimeout bounds every call in the outage test; slack is what a call may
// overrun it by (scheduling, not waiting) before it counts as a hang.
const (
	callTimeout = time.Second
	slack       = time.Second
)

// startFerretDB starts a FerretDB test server of this test's own, on a
// port and data folder of its own, so the test can kill and restart it.
func startFerretDB(t *testing.T) *testkit.Server {
	t.Helper()
	bin := testenv.Get(t, "NARVIK_FERRETDB_BIN", "scripts/ferretdb.sh up")
	return testkit.StartServer(t, testkit.ServerSpec{
		Name: "ferretdb",
		Command: func(port int, dir string) *exec.Cmd {
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			return exec.Command(bin, "-listen", addr, "-dir", filepath.Join(dir, "data"))
		},
		// The test server listens only once FerretDB is ready to serve.
		Ready: testkit.Dial,
	})
}

// call is the outcome of one ValidateSession during the outage test.
type call struct {
	start, end time.Time
	session    *narvik.Session[string]
	err        error
	panicked   any
}

// TestOutageAndRecovery runs concurrent ValidateSession calls through
// narvik.New while a private server is killed (SIGKILL) and started again on the same
// port and data directory. Every call that starts after the server is gone
// and ends before it is restarted must fail with an error (never a session,
// never "no session"); no call may panic or run past its deadline; once the
// server is back the same client serves the same session again; and after
// Disconnect no goroutine is left behind.
func TestOutageAndRecovery(t *testing.T) {
	// Registered first, so it runs last: after Disconnect and the server stop.
	// IgnoreCurrent is taken now, so that only goroutines this test started
	// and left running are reported.
	preexisting := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, preexisting) })

	srv := startFerretDB(t)
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + srv.Addr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("Disconnect: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := mongostore.New(client.Database("narvik_outage").Collection("sessions"), mongostore.WithLogger(nil))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := store.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	n, err := narvik.New[string](store)
	if err != nil {
		t.Fatal(err)
	}
	created, err := n.CreateSession(ctx, "outage-user", "payload")
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	want := created.Session

	validate := func() call {
		c := call{start: time.Now()}
		defer func() {
			if r := recover(); r != nil {
				c.panicked = r
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		c.session, c.err = n.ValidateSession(ctx, created.Token)
		c.end = time.Now()
		return c
	}

	// Workers validate continuously from before the stop until after the
	// restart, recording every call.
	const workers = 8
	var (
		mu    sync.Mutex
		calls []call
		wg    sync.WaitGroup
	)
	stopWorkers := make(chan struct{})
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stopWorkers:
					return
				default:
				}
				c := validate()
				mu.Lock()
				calls = append(calls, c)
				mu.Unlock()
			}
		}()
	}
	finished := func(after time.Time) (total, ok int) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range calls {
			if !c.start.Before(after) && !c.end.IsZero() {
				total++
				if c.err == nil && c.session != nil {
					ok++
				}
			}
		}
		return total, ok
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		if !testkit.WaitFor(30*time.Second, cond) {
			close(stopWorkers)
			wg.Wait()
			t.Fatalf("timed out after 30s waiting for %s", what)
		}
	}

	// Phase 1: server up, calls succeed.
	t0 := time.Now()
	waitFor("50 successful validations before the outage", func() bool { _, ok := finished(t0); return ok >= 50 })

	// Phase 2: kill the server (SIGKILL) while the workers run. Once the
	// process has exited, every call that starts must fail.
	srv.Kill()
	stoppedAt := time.Now()
	waitFor("40 calls during the outage", func() bool { total, _ := finished(stoppedAt); return total >= 40 })

	// Every store method fails cleanly too, within its deadline.
	checkStoreFails(t, store)

	// Phase 3: start the server again on the same port and data directory.
	restartAt := time.Now()
	srv.Restart()
	restartedAt := time.Now()
	waitFor("a successful validation after the restart", func() bool { _, ok := finished(restartedAt); return ok >= 1 })
	close(stopWorkers)
	wg.Wait()
	recovered := time.Duration(1<<63 - 1)
	for _, c := range calls {
		if !c.start.Before(restartedAt) && c.err == nil && c.session != nil && c.end.Sub(restartedAt) < recovered {
			recovered = c.end.Sub(restartedAt)
		}
	}

	// The same client now serves 100 concurrent validations, all of them.
	var bwg sync.WaitGroup
	batch := make([]call, 100)
	for i := range batch {
		bwg.Add(1)
		go func() { defer bwg.Done(); batch[i] = validate() }()
	}
	bwg.Wait()
	for i, c := range batch {
		if c.err != nil || c.session == nil {
			t.Errorf("after recovery, call %d: session %v, error %v; want the session", i, c.session, c.err)
		}
	}

	var during, before, after, overlap int
	for _, c := range calls {
		switch {
		case c.panicked != nil:
			t.Errorf("ValidateSession panicked: %v", c.panicked)
			continue
		case c.end.Sub(c.start) > callTimeout+slack:
			t.Errorf("call took %v, more than its %v deadline + %v", c.end.Sub(c.start), callTimeout, slack)
		}
		if c.session != nil && (c.session.ID != want.ID || c.session.UserID != want.UserID || c.session.Data != "payload") {
			t.Errorf("call returned a wrong session: %+v", c.session)
		}
		if c.err != nil && c.session != nil {
			t.Errorf("call returned both a session and an error (%v)", c.err)
		}
		switch {
		case !c.start.Before(stoppedAt) && c.end.Before(restartAt):
			during++
			if c.err == nil {
				t.Errorf("call during the outage returned session %v and no error; want an error", c.session)
			}
		case c.end.Before(stoppedAt):
			before++
		case !c.start.Before(restartedAt):
			after++
		default:
			overlap++
		}
	}
	if during < 40 {
		t.Errorf("only %d calls fell inside the outage, want at least 40", during)
	}
	t.Logf("calls: %d before the stop, %d during the outage (all errors), %d straddling stop/restart, %d after the restart; outage %v; first success %v after the server was ready again",
		before, during, overlap, after, restartAt.Sub(stoppedAt).Round(time.Millisecond), recovered.Round(time.Millisecond))
	for _, c := range calls {
		if !c.start.Before(stoppedAt) && c.end.Before(restartAt) {
			t.Logf("a typical outage error: %v", c.err)
			break
		}
	}
}

// checkStoreFails calls every store method with the server down and wants an
// error from each, before its deadline.
func checkStoreFails(t *testing.T, s *mongostore.Store) {
	t.Helper()
	now := time.Now().Truncate(time.Millisecond)
	r := narvik.Record{ID: "down", UserID: "down", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	ops := map[string]func(ctx context.Context) error{
		"SaveSession":         func(ctx context.Context) error { return s.SaveSession(ctx, r) },
		"FetchSession":        func(ctx context.Context) error { _, err := s.FetchSession(ctx, r.ID); return err },
		"UpdateSessionExpiry": func(ctx context.Context) error { return s.UpdateSessionExpiry(ctx, r.ID, now.Add(2*time.Hour)) },
		"DeleteSession":       func(ctx context.Context) error { return s.DeleteSession(ctx, r.ID) },
		"FetchSessionsForUser": func(ctx context.Context) error {
			_, err := s.FetchSessionsForUser(ctx, r.UserID)
			return err
		},
		"DeleteSessionsForUser":    func(ctx context.Context) error { return s.DeleteSessionsForUser(ctx, r.UserID) },
		"DeleteAllExpiredSessions": func(ctx context.Context) error { _, err := s.DeleteAllExpiredSessions(ctx); return err },
		"EnsureSchema":             s.EnsureSchema,
		"AllSessions": func(ctx context.Context) error {
			for _, err := range s.AllSessions(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
	type result struct {
		name string
		err  error
		took time.Duration
	}
	results := make(chan result, len(ops))
	for name, op := range ops {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			start := time.Now()
			err := op(ctx)
			results <- result{name, err, time.Since(start)}
		}()
	}
	for range ops {
		res := <-results
		name, err, took := res.name, res.err, res.took
		if err == nil {
			t.Errorf("%s with the server down returned no error", name)
		}
		if errors.Is(err, narvik.ErrSessionNotFound) || errors.Is(err, narvik.ErrDuplicateSession) {
			t.Errorf("%s with the server down returned %v; an outage must not look like an answer", name, err)
		}
		if took > callTimeout+slack {
			t.Errorf("%s took %v with the server down, past its %v deadline", name, took, callTimeout)
		}
	}
}
