package sqlitestore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// childEnv names the database a child process of TestSeveralProcesses
// writes to; the test binary is the child.
const childEnv = "SQLITESTORE_CHILD_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

// child saves 300 sessions into the database at path.
func child(path string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	for i := range 300 {
		r := narvik.Record{
			ID:     narvik.SessionIDFromToken(fmt.Sprintf("child-%d-%d", os.Getpid(), i)),
			UserID: "child", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(),
		}
		if err := s.SaveSession(context.Background(), r); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// TestSeveralProcesses: two other processes write to the same file while
// this one writes and reads (WAL and the busy timeout make them take
// turns); every session of all three is there at the end.
func TestSeveralProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	s := newTestStoreAt(t, path)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"="+path)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("child: %v\n%s", err, out)
			}
		}()
	}
	sqltest.Fill(t, s, 300, false)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	n := 0
	for _, err := range s.AllSessions(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 900 {
		t.Fatalf("%d sessions in the file, want 900 (300 from each of 3 processes)", n)
	}
}
