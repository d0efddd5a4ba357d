package postgresstore

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testkit"
	"go.uber.org/goleak"
)

// TestOutageAndRecovery runs the outage scenario (testkit.RunOutage) on a
// private PostgreSQL, crashed (SIGKILL to the postmaster and its backends)
// and started again: every call during the outage errors, the same pool
// serves again after, and closing the pool leaves no goroutine behind.
// (No frozen outage: SIGSTOP to the postmaster leaves its backends, one
// process per connection, answering.)
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
	testkit.RunOutage(t, s, testkit.OutageOptions{CallTimeout: 2 * time.Second}, testkit.Killed(srv))
	pool.Close()
	goleak.VerifyNone(t, ignore)
}
