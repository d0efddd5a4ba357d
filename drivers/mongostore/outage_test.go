package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
)

// callTimeout bounds every call in the outage test; slack is what a call may
// overrun it by (scheduling, not waiting) before it counts as a hang.
const (
	callTimeout = time.Second
	slack       = time.Second
)

// privateServer is a FerretDB test server started by one test on a port and
// data directory of its own, so the test can stop and restart it.
type privateServer struct {
	t    *testing.T
	bin  string
	addr string
	dir  string
	cmd  *exec.Cmd
	runs int
}

func startPrivateServer(t *testing.T) *privateServer {
	t.Helper()
	bin := testenv.Get(t, "NARVIK_FERRETDB_BIN", "scripts/ferretdb.sh up")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &privateServer{t: t, bin: bin, addr: addr, dir: t.TempDir()}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *privateServer) uri() string { return "mongodb://" + p.addr + "/" }

// start runs the server and waits until it prints its URI, which it does
// once it accepts connections. Output goes to files, so no goroutine copies it.
func (p *privateServer) start() {
	p.t.Helper()
	p.runs++
	out, err := os.Create(filepath.Join(p.dir, fmt.Sprintf("stdout.%d", p.runs)))
	if err != nil {
		p.t.Fatal(err)
	}
	defer out.Close()
	logf, err := os.Create(filepath.Join(p.dir, fmt.Sprintf("stderr.%d", p.runs)))
	if err != nil {
		p.t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(p.bin, "-listen", p.addr, "-dir", filepath.Join(p.dir, "data"))
	cmd.Stdout, cmd.Stderr = out, logf
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.bin, err)
	}
	p.cmd = cmd
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if b, _ := os.ReadFile(out.Name()); strings.HasPrefix(string(b), "mongodb://") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	log, _ := os.ReadFile(logf.Name())
	p.t.Fatalf("private FerretDB on %s not ready after 20s; log:\n%s", p.addr, log)
}

// stop sends SIGTERM and waits for the process to exit (SIGKILL after 10 s).
func (p *privateServer) stop() {
	if p.cmd == nil {
		return
	}
	cmd := p.cmd
	p.cmd = nil
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// call is the outcome of one ValidateSession during the outage test.
type call struct {
	start, end time.Time
	session    *narvik.Session[string]
	err        error
	panicked   any
}

// TestOutageAndRecovery runs concurrent ValidateSession calls through
// narvik.New while a private server is stopped and started again on the same
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

	srv := startPrivateServer(t)
	client, err := mongo.Connect(options.Client().ApplyURI(srv.uri()))
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
	store, err := mongostore.New(ctx, client.Database("narvik_outage").Collection("sessions"),
		mongostore.WithLogger(discardLogger()))
	if err != nil {
		t.Fatalf("New: %v", err)
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
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				close(stopWorkers)
				wg.Wait()
				t.Fatalf("timed out after 30s waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// Phase 1: server up, calls succeed.
	t0 := time.Now()
	waitFor("50 successful validations before the outage", func() bool { _, ok := finished(t0); return ok >= 50 })

	// Phase 2: stop the server while the workers run. Once the process has
	// exited, every call that starts must fail.
	srv.stop()
	stoppedAt := time.Now()
	waitFor("40 calls during the outage", func() bool { total, _ := finished(stoppedAt); return total >= 40 })

	// Every store method fails cleanly too, within its deadline.
	checkStoreFails(t, store)

	// Phase 3: start the server again on the same port and data directory.
	restartAt := time.Now()
	srv.start()
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
		"EnsureIndexes":            s.EnsureIndexes,
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
