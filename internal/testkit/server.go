//go:build unix

package testkit

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ServerSpec describes a server that a test runs as a child process of its
// own, on a loopback port.
type ServerSpec struct {
	// Name is the server's name in messages, such as "redis-server".
	Name string
	// Command returns the process to run for port, with dir a private folder
	// that lives as long as the test and is kept across restarts (data,
	// config files). Its output goes to a log in dir.
	Command func(port int, dir string) *exec.Cmd
	// Ready reports whether the server on port answers; it is polled every
	// 20 ms after the start.
	Ready func(port int) bool
	// Timeout bounds the wait for Ready (default 30 s).
	Timeout time.Duration
}

// Server is a child server process started by StartServer.
type Server struct {
	t      testing.TB
	spec   ServerSpec
	Port   int    // the port the server listens on
	Dir    string // its private folder
	cmd    *exec.Cmd
	starts int
	log    string
}

// StartServer starts the server on a port the kernel had free a moment
// before, and waits until it is ready. Another process can take that port
// between the probe and the child's bind; a child that exits before it is
// ready is therefore started again on another port, up to five times, and
// only then does the test fail (with the child's log). The server is killed
// when the test ends.
func StartServer(t testing.TB, spec ServerSpec) *Server {
	t.Helper()
	if spec.Timeout == 0 {
		spec.Timeout = 30 * time.Second
	}
	s := &Server{t: t, spec: spec, Dir: t.TempDir()}
	t.Cleanup(s.Kill)
	var last string
	for range 5 {
		s.Port = freePort(t)
		ok, exited := s.start()
		if ok {
			return s
		}
		if !exited {
			t.Fatalf("%s on port %d did not become ready within %v; log:\n%s", spec.Name, s.Port, spec.Timeout, s.Log())
		}
		last = s.Log()
	}
	t.Fatalf("%s exited before it was ready, five times on five ports; last log:\n%s", spec.Name, last)
	return nil
}

// Addr returns "127.0.0.1:PORT".
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// start runs the process once and waits for Ready. It reports whether the
// server became ready, and if not, whether the process had exited.
func (s *Server) start() (ready, exited bool) {
	s.t.Helper()
	s.starts++
	s.log = filepath.Join(s.Dir, fmt.Sprintf("%s-%d.log", s.spec.Name, s.starts))
	logf, err := os.Create(s.log)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close() // the child has its own copy
	cmd := s.spec.Command(s.Port, s.Dir)
	cmd.Stdout, cmd.Stderr = logf, logf // *os.File: no copying goroutines
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %s: %v", s.spec.Name, err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(s.spec.Timeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return false, true
		}
		if s.spec.Ready(s.Port) {
			return true, false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false, false
}

// exited reports whether the child has exited, reaping it if so. It polls
// with WNOHANG instead of waiting in a goroutine, so that a test checking
// for leaked goroutines sees none of the kit's.
func (s *Server) exited() bool {
	if s.cmd == nil {
		return true
	}
	var status syscall.WaitStatus
	pid, err := syscall.Wait4(s.cmd.Process.Pid, &status, syscall.WNOHANG, nil)
	if pid == s.cmd.Process.Pid || err != nil {
		s.cmd = nil
		return true
	}
	return false
}

// Running reports whether the server process is alive.
func (s *Server) Running() bool { return !s.exited() }

// Kill stops the server with SIGKILL (an outage, not a polite shutdown) and
// waits until the process is gone. Killing a stopped server does nothing.
func (s *Server) Kill() {
	if s.exited() {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a frozen process dies either way; this keeps the order plain
	_ = s.cmd.Process.Kill()
	_, _ = s.cmd.Process.Wait()
	s.cmd = nil
}

// Restart starts a killed server again on the same port and folder, and
// waits until it is ready. The port cannot change (clients know it), so a
// port taken meanwhile fails the test.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	if ok, _ := s.start(); !ok {
		s.t.Fatalf("%s did not come back on port %d; log:\n%s", s.spec.Name, s.Port, s.Log())
	}
}

// Freeze stops the process (SIGSTOP): its sockets stay open and accept
// connections, but nothing answers, as with a hung server. It returns once
// every thread of the process is stopped: kill(2) only queues the signal,
// and a thread still running on the other core could answer one more
// request after Freeze returned.
func (s *Server) Freeze() {
	s.t.Helper()
	s.signal(syscall.SIGSTOP)
	if !WaitFor(10*time.Second, func() bool { return s.allThreads(true) }) {
		s.t.Fatalf("%s: threads still running 10 s after SIGSTOP", s.spec.Name)
	}
}

// Thaw resumes a frozen server (SIGCONT) and returns once its threads run.
func (s *Server) Thaw() {
	s.t.Helper()
	s.signal(syscall.SIGCONT)
	if !WaitFor(10*time.Second, func() bool { return s.allThreads(false) }) {
		s.t.Fatalf("%s: threads still stopped 10 s after SIGCONT", s.spec.Name)
	}
}

// allThreads reports whether every thread of the process is stopped
// (stopped true) or none is (stopped false), from /proc/PID/task/*/stat,
// whose third field is the state ('T' stopped).
func (s *Server) allThreads(stopped bool) bool {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", s.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(task)
		if err != nil {
			continue // the thread ended
		}
		// The command name (field 2) is in parentheses and may hold spaces:
		// the state follows the last ')'.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 || i+2 >= len(b) {
			return false
		}
		if isStopped := b[i+2] == 'T' || b[i+2] == 't'; isStopped != stopped {
			return false
		}
	}
	return true
}

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	if s.cmd == nil {
		s.t.Fatalf("%s is not running", s.spec.Name)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("%s: %v", s.spec.Name, err)
	}
}

// Log returns what the server wrote since its last start.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.log)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Frozen is the Outage of a hung server: srv stopped (SIGSTOP, its sockets
// still accept) and resumed.
func Frozen(srv *Server) Outage {
	return Outage{Name: "frozen", Begin: srv.Freeze, End: srv.Thaw, Hangs: true}
}
