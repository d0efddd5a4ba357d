package boltstore_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/narvik-go/narvik/drivers/boltstore"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The tests below re-run this test binary as a second process. The helper
// mode is chosen by these variables, read in TestMain before any test runs,
// so the helper is not a test that passes by doing nothing.
const (
	helperEnv     = "NARVIK_BOLTSTORE_HELPER" // "hold" or "write"
	helperPathEnv = "NARVIK_BOLTSTORE_PATH"
)

func TestMain(m *testing.M) {
	switch mode := os.Getenv(helperEnv); mode {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(holdFile(os.Getenv(helperPathEnv)))
	case "write":
		os.Exit(writeForever(os.Getenv(helperPathEnv)))
	default:
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", helperEnv, mode)
		os.Exit(2)
	}
}

// holdFile opens the store, says "ready" and keeps the file open (and
// locked) until its stdin is closed.
func holdFile(path string) int {
	s, err := boltstore.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// writeForever saves sessions as fast as it can and prints each ID only
// after SaveSession has returned, until it is killed.
func writeForever(path string) int {
	s, err := boltstore.Open(path, boltstore.WithTimeout(5*time.Second))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for i := 0; ; i++ {
		r := record(fmt.Sprintf("user-%d", i%10), time.Hour)
		r.Data = bytes.Repeat([]byte{byte(i)}, 200+i%300)
		if err := s.SaveSession(bg, r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// One write call per line: lines on a pipe are never interleaved
		// or cut, even when the process is killed between two of them.
		if _, err := os.Stdout.WriteString(r.ID + "\n"); err != nil {
			return 1
		}
	}
}

// helper starts this test binary as a helper process on path. It is killed
// when the test ends, and after a minute in any case so a stuck helper
// cannot hang the test.
func helper(t *testing.T, mode, path string) (cmd *exec.Cmd, stdin io.WriteCloser, stdout io.Reader, stderr *bytes.Buffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperPathEnv+"="+path)
	stderr = new(bytes.Buffer)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(time.Minute, func() { _ = cmd.Process.Kill() })
	t.Cleanup(func() {
		watchdog.Stop()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, stdin, out, stderr
}

// TestLockedByAnotherProcess: while another process has the file open,
// Open gives up within its timeout with ErrLocked (and bbolt's timeout
// error) naming the file; once that process is gone, Open succeeds.
func TestLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	cmd, stdin, stdout, stderr := helper(t, "hold", path)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("helper did not open the file: %q, %v; stderr: %s", line, err, stderr)
	}

	const timeout = 300 * time.Millisecond
	start := time.Now()
	s, err := boltstore.Open(path, boltstore.WithTimeout(timeout))
	elapsed := time.Since(start)
	if s != nil {
		s.Close()
		t.Fatal("Open succeeded on a file another process holds")
	}
	if !errors.Is(err, boltstore.ErrLocked) || !errors.Is(err, bolterrors.ErrTimeout) {
		t.Fatalf("Open of a locked file = %v; want an error wrapping ErrLocked and bbolt's ErrTimeout", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Fatalf("error %q does not name the file %s", err, path)
	}
	// bbolt polls the lock every 50ms and gives up once less than one poll
	// is left, so the wait is between timeout-50ms and timeout plus slack.
	if elapsed < timeout-100*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("Open gave up after %v with a %v timeout", elapsed, timeout)
	}
	t.Logf("Open gave up after %v: %v", elapsed, err)

	stdin.Close() // the helper closes the store and exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v; stderr: %s", err, stderr)
	}
	s, err = boltstore.Open(path, boltstore.WithTimeout(timeout))
	if err != nil {
		t.Fatalf("Open after the other process exited: %v", err)
	}
	s.Close()
}

// TestSIGKILLLosesNoSavedSession: a process saving sessions in a loop is
// killed with SIGKILL mid-load, three times over on the same file. Every
// session whose SaveSession had returned (the child printed its ID only
// then) is fetchable afterwards and the file passes bbolt's consistency
// check.
//
// SIGKILL kills the process, not the machine: what this proves is that a
// returned SaveSession is committed and that a commit cut short never
// damages the file. Survival of a power loss rests on bbolt's fsync at
// every commit, which this package leaves on.
func TestSIGKILLLosesNoSavedSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "killed.db")
	var saved []string
	const rounds, perRound = 3, 300
	for round := range rounds {
		cmd, _, stdout, stderr := helper(t, "write", path)
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			saved = append(saved, sc.Text())
			if n++; n == perRound {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
			}
		}
		err := cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: writer ended with %v after %d saves, want killed by SIGKILL; stderr: %s", round, err, n, stderr)
		}
		if n < perRound {
			t.Fatalf("round %d: writer reported %d saves, want at least %d", round, n, perRound)
		}
		t.Logf("round %d: killed after %d reported saves", round, n)

		s, err := boltstore.Open(path)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		for _, id := range saved {
			if len(id) != 64 {
				t.Fatalf("round %d: the writer printed a malformed ID %q", round, id)
			}
			if _, err := s.FetchSession(bg, id); err != nil {
				s.Close()
				t.Fatalf("round %d: session %.16s was reported saved before the kill, but: %v", round, id, err)
			}
		}
		if err := s.DB().View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		}); err != nil {
			t.Fatalf("round %d: bbolt consistency check: %v", round, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d sessions reported saved, all fetchable", len(saved))
}
