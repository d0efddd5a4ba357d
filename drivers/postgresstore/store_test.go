package postgresstore

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestConformance(t *testing.T) {
	pool := testPool(t)
	sqltest.Conformance(t, func(t testing.TB) *Store { return newTestStore(t, pool) }, coreOf)
}

func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, storesOn(testPool(b)))
}

func BenchmarkScale(b *testing.B) {
	conformance.BenchmarkScale(b, storesOn(testPool(b)), 1000, 100000)
}

// BenchmarkScaleRatio measures per-user work at 1,000 and 100,000
// sessions alternately, for a ratio that the machine's noise does not skew.
func BenchmarkScaleRatio(b *testing.B) {
	sqltest.BenchmarkScaleRatio(b, storesOn(testPool(b)), 1000, 100000)
}

// baseline returns the raw read that ValidateSession is measured against:
// the same columns by primary key with pgx on the same pool.
func baseline(pool DB, s *Store) func(b *testing.B, id string) {
	query := sqltest.ReadQuery(quote(s.table), "$1")
	return func(b *testing.B, id string) { sqltest.ScanRead(b, pool.QueryRow(context.Background(), query, id)) }
}

func BenchmarkBaseline(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	sqltest.BenchmarkBaseline(b, s, baseline(pool, s))
}

// BenchmarkValidateVsBaseline alternates ValidateSession with the
// baseline's read, for a ratio that the machine's noise does not skew.
func BenchmarkValidateVsBaseline(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	sqltest.BenchmarkValidateVsBaseline(b, s, baseline(pool, s))
}

// BenchmarkDeleteAllExpired sweeps 1% expired of 100,000 sessions through
// the index, and deletes the same by a full scan.
func BenchmarkDeleteAllExpired(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	full := sqltest.FullScanQuery(quote(s.table), "$1")
	sqltest.BenchmarkSweep(b, s, 100000, func(ctx context.Context, now time.Time) (int64, error) {
		tag, err := pool.Exec(ctx, full, now.UnixMilli())
		return tag.RowsAffected(), err
	})
}

// storesOn returns the factory of the shared suites: each store on a fresh
// table of pool.
func storesOn(pool DB) func(testing.TB) narvik.SessionStore {
	return func(t testing.TB) narvik.SessionStore { return newTestStore(t, pool) }
}
