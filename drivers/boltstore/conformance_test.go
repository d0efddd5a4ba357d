package boltstore_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/boltstore"
	bolt "go.etcd.io/bbolt"
)

// openTemp opens a store on a new file in a temporary directory and closes
// it when the test ends.
func openTemp(t testing.TB, opts ...boltstore.Option) (*boltstore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// newOver returns a store from New over db, its schema ensured.
func newOver(t testing.TB, db *bolt.DB, opts ...boltstore.Option) *boltstore.Store {
	t.Helper()
	s, err := boltstore.New(db, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(bg); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestConformance runs the shared store suite, each subtest on its own file.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s, _ := openTemp(t)
		return s
	})
}

// BenchmarkConformance runs the shared benchmarks through narvik.New.
// Compare ValidateHit with BenchmarkBaseline; PairedHit runs them in turns.
func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore {
		s, _ := openTemp(b)
		return s
	}, conformance.WithRawRead(rawRead(b)))
}

// BenchmarkScale runs the shared per-user scale benchmark at 1,000 and
// 100,000 records. Its fill saves every record through SaveSession, one
// commit each; with bbolt's fsync per commit 100,000 of them take minutes
// here, so this database is opened with NoSync and the numbers leave out
// the fsync of DeleteSessionsForUser's commit. BenchmarkUserScale measures
// the same operations on a durable database.
func BenchmarkScale(b *testing.B) {
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore {
		db, err := bolt.Open(filepath.Join(b.TempDir(), "scale.db"), 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = db.Close() })
		return newOver(b, db)
	}, 1_000, 100_000)
}
