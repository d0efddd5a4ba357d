//go:build unix

package testkit_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

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
