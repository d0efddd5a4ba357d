package mysqlstore

import (
	"context"
	"database/sql"
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testenv"
)

// testDB opens NARVIK_MYSQL_DSN (skips, or fails under CI, when it is
// unset) and closes it when the test ends.
func testDB(t testing.TB) *sql.DB {
	t.Helper()
	dsn := testenv.Get(t, "NARVIK_MYSQL_DSN", "scripts/mariadb.sh up")
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatalf("NARVIK_MYSQL_DSN: %v", err)
	}
	db.SetMaxOpenConns(64) // the server allows 300 connections; several test packages share it
	db.SetMaxIdleConns(16)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newTestStore returns a store on a fresh table, created with EnsureSchema,
// closed and dropped when the test ends.
func newTestStore(t testing.TB, db *sql.DB, opts ...Option) *Store {
	t.Helper()
	return sqltest.NewStore(t, func(table string) (*Store, error) {
		return New(db, append([]Option{WithTable(table)}, opts...)...)
	}, func(ctx context.Context, table string) error {
		_, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+quote(table))
		return err
	})
}

// coreOf returns the shared SQL core of s, whose batch sizes tests change.
func coreOf(s *Store) *sqlstore.Store { return s.core }
