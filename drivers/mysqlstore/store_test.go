package mysqlstore

import (
	"database/sql"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestConformance(t *testing.T) {
	db := testDB(t)
	sqltest.Conformance(t, func(t testing.TB) *Store { return newTestStore(t, db) }, coreOf)
}

func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, storesOn(testDB(b)))
}

func BenchmarkScale(b *testing.B) {
	conformance.BenchmarkScale(b, storesOn(testDB(b)), 1000, 100000)
}

// BenchmarkScaleRatio measures per-user work at 1,000 and 100,000
// sessions alternately, for a ratio that the machine's noise does not skew.
func BenchmarkScaleRatio(b *testing.B) {
	sqltest.BenchmarkScaleRatio(b, storesOn(testDB(b)), 1000, 100000)
}

// BenchmarkBaseline is the raw read that ValidateSession is measured
// against: the same columns by primary key, a statement prepared on the
// same *sql.DB.
func BenchmarkBaseline(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	sqltest.BenchmarkBaseline(b, s, sqltest.PreparedRead(b, db, quote(s.table)))
}

// BenchmarkValidateVsBaseline alternates ValidateSession with the
// baseline's read, for a ratio that the machine's noise does not skew.
func BenchmarkValidateVsBaseline(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	sqltest.BenchmarkValidateVsBaseline(b, s, sqltest.PreparedRead(b, db, quote(s.table)))
}

// BenchmarkDeleteAllExpired sweeps 1% expired of 100,000 sessions through
// the index, and deletes the same by a full scan.
func BenchmarkDeleteAllExpired(b *testing.B) {
	db := testDB(b)
	s := newTestStore(b, db)
	sqltest.BenchmarkSweep(b, s, 100000, sqltest.StdFullScan(db, quote(s.table)))
}

// storesOn returns the factory of the shared suites: each store on a fresh
// table of db.
func storesOn(db *sql.DB) func(testing.TB) narvik.SessionStore {
	return func(t testing.TB) narvik.SessionStore { return newTestStore(t, db) }
}
