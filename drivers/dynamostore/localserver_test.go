package dynamostore_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/narvik-go/narvik/internal/testenv"
)

// localServer is a private DynamoDB Local that a test starts, stops and
// restarts on one port, keeping its tables in dataDir (-dbPath) so that they
// survive a restart.
type localServer struct {
	t       *testing.T
	dist    string // NARVIK_DYNAMODB_LOCAL_DIR: jar, libs, Launcher.class
	dataDir string
	port    int
	cmd     *exec.Cmd
	starts  int
}

// newLocalServer prepares (but does not start) a private server on a free
// loopback port. It is stopped when the test ends.
func newLocalServer(t *testing.T) *localServer {
	t.Helper()
	dist := testenv.Get(t, "NARVIK_DYNAMODB_LOCAL_DIR", "scripts/dynamodb.sh up")
	if _, err := exec.LookPath("java"); err != nil {
		testenv.Missing(t, "java is not on PATH; a private DynamoDB Local needs Java 17")
	}
	if _, err := os.Stat(filepath.Join(dist, "Launcher.class")); err != nil {
		t.Fatalf("NARVIK_DYNAMODB_LOCAL_DIR=%s has no Launcher.class (run scripts/dynamodb.sh up): %v", dist, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &localServer{t: t, dist: dist, dataDir: t.TempDir(), port: port}
	t.Cleanup(s.stop)
	return s
}

func (s *localServer) url() string { return fmt.Sprintf("http://127.0.0.1:%d", s.port) }

// start launches the server and waits (at most a minute) until it answers.
func (s *localServer) start() {
	s.t.Helper()
	s.starts++
	logf, err := os.Create(filepath.Join(s.dataDir, fmt.Sprintf("server-%d.log", s.starts)))
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close() // the child has its own copy
	// C1 only and the serial GC halve the JVM's start-up (about 2 s instead
	// of 4 s here); this server's throughput does not matter.
	cmd := exec.Command("java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-Djava.library.path="+filepath.Join(s.dist, "DynamoDBLocal_lib"),
		"-cp", s.dist+":"+filepath.Join(s.dist, "DynamoDBLocal.jar")+":"+filepath.Join(s.dist, "DynamoDBLocal_lib", "*"),
		"Launcher", "-port", fmt.Sprint(s.port), "-dbPath", s.dataDir, "-sharedDb", "-disableTelemetry")
	cmd.Stdout, cmd.Stderr = logf, logf // *os.File: no copying goroutines
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start DynamoDB Local: %v", err)
	}
	s.cmd = cmd
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Second}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if resp, err := hc.Get(s.url()); err == nil {
			resp.Body.Close()
			s.t.Logf("DynamoDB Local (start %d) answered after %v", s.starts, time.Since(deadline.Add(-time.Minute)).Round(time.Millisecond))
			return
		}
		if cmd.Process.Signal(syscall.Signal(0)) != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(logf.Name())
	s.t.Fatalf("DynamoDB Local on port %d did not answer within a minute; log:\n%s", s.port, log)
}

// stop kills the server (SIGKILL: an outage, not a polite shutdown) and
// waits until it has exited.
func (s *localServer) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// freeze stops the server process (SIGSTOP): its sockets stay open and
// accept connections, but nothing answers, as with a hung server.
func (s *localServer) freeze() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
}

// thaw resumes a frozen server (SIGCONT).
func (s *localServer) thaw() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		s.t.Fatal(err)
	}
}

// waitFor polls cond every 10 ms until it holds or the timeout passes.
func waitFor(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			return cond()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}
