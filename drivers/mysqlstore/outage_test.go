package mysqlstore

import (
	"context"
	"database/sql"
	"io"
	"log"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testkit"
	"go.uber.org/goleak"
)

// TestOutageAndRecovery runs the outage scenario (testkit.RunOutage) on a
// private MariaDB, crashed (SIGKILL) and started again, then frozen
// (SIGSTOP) and resumed: every call during an outage errors, those begun
// while it was frozen at their deadline; the same *sql.DB serves again
// after each; and closing the store and the handle leaves no goroutine
// behind.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	// go-sql-driver logs every broken connection through a package-level
	// logger; the outage breaks dozens, and this test asserts on the errors.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
	t.Cleanup(func() { _ = mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime|log.Lshortfile)) })
	srv := sqltest.StartMariaDB(t)
	root, err := sql.Open("mysql", sqltest.DSN(srv, ""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := root.Exec("CREATE DATABASE narvik"); err != nil {
		t.Fatal(err)
	}
	root.Close()
	db, err := sql.Open("mysql", sqltest.DSN(srv, "narvik"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	testkit.RunOutage(t, s, testkit.OutageOptions{CallTimeout: 2 * time.Second}, testkit.Killed(srv), testkit.Frozen(srv))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, ignore)
}
