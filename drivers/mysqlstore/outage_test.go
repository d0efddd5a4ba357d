package mysqlstore

import (
	"context"
	"database/sql"
	"io"
	"log"
	"os"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"go.uber.org/goleak"
)

// TestOutageAndRecovery crashes a private MariaDB (SIGKILL) under
// concurrent validations and starts it again: every call during the
// outage errors, the same *sql.DB serves again after, and closing the
// store and the handle leaves no goroutine behind.
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
	sqltest.Outage(t, s, srv)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, ignore)
}
