package postgresstore

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testenv"
)

// queryCounter is a pgx tracer that counts the statements sent.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TestRoundTrips pins the statements each narvik operation costs: a
// validation is one SELECT, an extension one more UPDATE, a creation one
// INSERT, signing out one DELETE.
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
	s := newTestStore(t, pool)
	now := time.Now()
	clock := func() time.Time { return now }
	auth, err := narvik.New[struct{}](s, narvik.WithClock(clock), narvik.WithSessionExpiresIn(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	measure := func(what string, want int64, f func() error) {
		t.Helper()
		before := counter.n.Load()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := counter.n.Load() - before; got != want {
			t.Errorf("%s sent %d statements, want %d", what, got, want)
		}
	}
	var res *narvik.CreateSessionResult[struct{}]
	measure("CreateSession", 1, func() (err error) { res, err = auth.CreateSession(ctx, "u", struct{}{}); return err })
	measure("ValidateSession", 1, func() error { _, err := auth.ValidateSession(ctx, res.Token); return err })
	now = now.Add(90 * time.Minute) // past half the lifetime: the validation extends
	measure("ValidateSession with extension", 2, func() error { _, err := auth.ValidateSession(ctx, res.Token); return err })
	measure("InvalidateSession", 1, func() error { return auth.InvalidateSession(ctx, res.Session.ID) })
}
