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
	conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, pool) })
}

// TestConformanceSmallBatches runs the suite with sweeps of 7 rows and walk
// pages of 3, so that every sweep and walk of it crosses batches.
func TestConformanceSmallBatches(t *testing.T) {
	pool := testPool(t)
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s := newTestStore(t, pool)
		s.core.SweepBatch, s.core.WalkPage = 7, 3
		return s
	})
}

func BenchmarkConformance(b *testing.B) {
	pool := testPool(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, pool) })
}

func BenchmarkScale(b *testing.B) {
	pool := testPool(b)
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, pool) }, 1000, 100000)
}

// BenchmarkScaleRatio measures per-user work at 1,000 and 100,000
// sessions alternately, for a ratio that the machine's noise does not skew.
func BenchmarkScaleRatio(b *testing.B) {
	pool := testPool(b)
	sqltest.BenchmarkScaleRatio(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, pool) }, 1000, 100000)
}

// BenchmarkBaseline is the raw read that ValidateSession is measured
// against: the same columns by primary key with pgx on the same pool.
func BenchmarkBaseline(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	ctx := context.Background()
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "bench", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), Data: make([]byte, 100)}
	if err := s.SaveSession(ctx, r); err != nil {
		b.Fatal(err)
	}
	query := "SELECT user_id, expires_at, created_at, data FROM " + quote(s.table) + " WHERE id = $1"
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		var user string
		var exp, created int64
		var data []byte
		if err := pool.QueryRow(ctx, query, r.ID).Scan(&user, &exp, &created, &data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkValidateVsBaseline alternates ValidateSession with the
// baseline's read, for a ratio that the machine's noise does not skew.
func BenchmarkValidateVsBaseline(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	query := "SELECT user_id, expires_at, created_at, data FROM " + quote(s.table) + " WHERE id = $1"
	sqltest.BenchmarkValidateVsBaseline(b, s, func(b *testing.B, id string) {
		var user string
		var exp, created int64
		var data []byte
		if err := pool.QueryRow(context.Background(), query, id).Scan(&user, &exp, &created, &data); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkDeleteAllExpired sweeps 1% expired of 100,000 sessions through
// the index, and deletes the same by a full scan.
func BenchmarkDeleteAllExpired(b *testing.B) {
	pool := testPool(b)
	s := newTestStore(b, pool)
	full := "DELETE FROM " + quote(s.table) + " WHERE expires_at + 0 <= $1"
	sqltest.BenchmarkSweep(b, s, 100000, func(ctx context.Context, now time.Time) (int64, error) {
		tag, err := pool.Exec(ctx, full, now.UnixMilli())
		return tag.RowsAffected(), err
	})
}
