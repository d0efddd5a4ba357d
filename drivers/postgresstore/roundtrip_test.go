package postgresstore

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testenv"
)

// queryCounter is a pgx tracer that counts the statements sent and the
// prepares (pgx prepares each statement on its first use on a connection
// and caches it).
type queryCounter struct{ queries, prepares atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.queries.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *queryCounter) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	c.prepares.Add(1)
	return ctx
}

func (c *queryCounter) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

func (c *queryCounter) counts() sqltest.Counts {
	return sqltest.Counts{Prepares: c.prepares.Load(), Execs: c.queries.Load()}
}

// TestRoundTrips pins the statements each narvik operation costs: a
// validation is one SELECT, an extension one more UPDATE, a creation one
// INSERT, signing out one DELETE; each statement prepared once.
func TestRoundTrips(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(testenv.Get(t, "NARVIK_POSTGRES_URL", "scripts/postgres.sh up"))
	if err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // after the table is dropped
	sqltest.RoundTrips(t, newTestStore(t, pool), counter.counts)
}
