package mysqlstore

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestConformance(t *testing.T) {
	db := testDB(t)
	conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, db) })
}

// TestConformanceSmallBatches runs the suite with sweeps of 7 rows and walk
// pages of 3, so that every sweep and walk of it crosses batches.
func TestConformanceSmallBatches(t *testing.T) {
	db := testDB(t)
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s := newTestStore(t, db)
		s.core.SweepBatch, s.core.WalkPage = 7, 3
		return s
	})
}

func BenchmarkConformance(b *testing.B) {
	db := testDB(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, db) })
}

func BenchmarkScale(b *testing.B) {
	db := testDB(b)
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, db) }, 1000, 100000)
}

// BenchmarkScaleRatio measures per-user work at 1,000 and 100,000
// sessions alternately, for a ratio that the machine's noise does not skew.
func BenchmarkScaleRatio(b *testing.B) {
	db := testDB(b)
	sqltest.BenchmarkScaleRatio(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, db) }, 1000, 100000)
}

// baseline returns the raw read that ValidateSession is measured against:
// the same columns by primary key, a statement prepared on the same
// *sql.DB (unprepared, go-sql-driver would prepare and close it on every
// call).
func baseline(b *testing.B, db *sql.DB, s *Store) func(b *testing.B, id string) {
	return sqltest.PreparedRead(b, db, "SELECT user_id, expires_at, created_at, data FROM "+quote(s.table)+" WHERE id = ?")
}

func BenchmarkBaseline(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "bench", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), Data: make([]byte, 100)}
	if err := s.SaveSession(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	read := baseline(b, db, s)
	conformance.BenchmarkBaseline(b, func(b *testing.B) { read(b, r.ID) })
}

// BenchmarkValidateVsBaseline alternates ValidateSession with the
// baseline's read, for a ratio that the machine's noise does not skew.
func BenchmarkValidateVsBaseline(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	sqltest.BenchmarkValidateVsBaseline(b, s, baseline(b, db, s))
}

// BenchmarkDeleteAllExpired sweeps 1% expired of 100,000 sessions through
// the index, and deletes the same by a full scan.
func BenchmarkDeleteAllExpired(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	full := "DELETE FROM " + quote(s.table) + " WHERE expires_at + 0 <= ?"
	sqltest.BenchmarkSweep(b, s, 100000, func(ctx context.Context, now time.Time) (int64, error) {
		res, err := db.ExecContext(ctx, full, now.UnixMilli())
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	})
}
