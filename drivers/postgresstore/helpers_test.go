package postgresstore

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik/internal/sqlstore"
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
	return sqltest.NewStore(t, func(table string) (*Store, error) {
		return New(db, append([]Option{WithTable(table)}, opts...)...)
	}, func(ctx context.Context, table string) error {
		_, err := db.Exec(ctx, "DROP TABLE IF EXISTS "+quote(table))
		return err
	})
}

// coreOf returns the shared SQL core of s, whose batch sizes tests change.
func coreOf(s *Store) *sqlstore.Store { return s.core }
