package postgresstore

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testenv"
)

// testPool connects to NARVIK_POSTGRES_URL (skips, or fails under CI, when
// it is unset) and closes the pool when the test ends.
func testPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := testenv.Get(t, "NARVIK_POSTGRES_URL", "scripts/postgres.sh up")
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatalf("NARVIK_POSTGRES_URL: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// newTestStore returns a store on a fresh table, created with EnsureSchema
// and dropped when the test ends.
func newTestStore(t testing.TB, db DB, opts ...Option) *Store {
	t.Helper()
	table := sqltest.RandomTable()
	s, err := New(db, append([]Option{WithTable(table)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+quote(table)); err != nil {
			t.Errorf("drop table %s: %v", table, err)
		}
	})
	return s
}
