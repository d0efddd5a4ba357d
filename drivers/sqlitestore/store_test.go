package sqlitestore

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func newStore(t testing.TB) narvik.SessionStore { return newTestStore(t) }

func TestConformance(t *testing.T) {
	sqltest.Conformance(t, func(t testing.TB) *Store { return newTestStore(t) }, func(s *Store) *sqlstore.Store { return s.core })
}

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, newStore) }

func BenchmarkScale(b *testing.B) { conformance.BenchmarkScale(b, newStore, 1000, 100000) }

// BenchmarkScaleRatio measures per-user work at 1,000 and 100,000
// sessions alternately, for a ratio that the machine's noise does not skew.
func BenchmarkScaleRatio(b *testing.B) { sqltest.BenchmarkScaleRatio(b, newStore, 1000, 100000) }

// BenchmarkBaseline is the raw read that ValidateSession is measured
// against: the same columns by primary key, a statement prepared on the
// same *sql.DB.
func BenchmarkBaseline(b *testing.B) {
	s := newTestStore(b)
	sqltest.BenchmarkBaseline(b, s, sqltest.PreparedRead(b, s.db, quote(s.table)))
}

// BenchmarkValidateVsBaseline alternates ValidateSession with the
// baseline's read, for a ratio that the machine's noise does not skew.
func BenchmarkValidateVsBaseline(b *testing.B) {
	s := newTestStore(b)
	sqltest.BenchmarkValidateVsBaseline(b, s, sqltest.PreparedRead(b, s.db, quote(s.table)))
}

// BenchmarkDeleteAllExpired sweeps 1% expired of 100,000 sessions through
// the index, and deletes the same by a full scan.
func BenchmarkDeleteAllExpired(b *testing.B) {
	s := newTestStore(b)
	sqltest.BenchmarkSweep(b, s, 100000, sqltest.StdFullScan(s.db, quote(s.table)))
}
