package postgresstore

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"go.uber.org/goleak"
)

// TestOutageAndRecovery crashes a private PostgreSQL (SIGKILL to the
// postmaster and its backends) under concurrent validations and starts it
// again: every call during the outage errors, the same pool serves again
// after, and closing the pool leaves no goroutine behind.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv := sqltest.StartPostgres(t)
	pool, err := pgxpool.New(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	sqltest.Outage(t, s, srv)
	pool.Close()
	goleak.VerifyNone(t, ignore)
}
