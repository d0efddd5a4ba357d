package migrate_test

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
)

// BenchmarkMigrate moves NARVIK_MIGRATE_BENCH_N sessions (100,000 unless
// set) from a bbolt file to each target and reports sessions per second;
// `make bench` writes it to docs/benchmarks.md. Each iteration starts with
// an empty target; filling the source is not timed.
func BenchmarkMigrate(b *testing.B) {
	n := size(b, "NARVIK_MIGRATE_BENCH_N", 100_000)
	from := fastBolt(b)
	issue(b, from, n, n/4, 0)
	for _, kind := range targets {
		b.Run("bolt_to_"+string(kind), func(b *testing.B) {
			var total int64
			for b.Loop() {
				b.StopTimer()
				to := newStore(b, kind)
				b.StartTimer()
				st, err := narvik.Migrate(bg, from, to)
				if err != nil {
					b.Fatal(err)
				}
				if st.Copied != int64(n) {
					b.Fatalf("copied %d of %d", st.Copied, n)
				}
				total += st.Copied
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "sessions/s")
		})
	}
}

// fastBolt is a bbolt store on a file opened without fsync, so that
// filling it with many sessions takes seconds, not minutes. A migration
// only reads it.
func fastBolt(b testing.TB) narvik.SessionStore {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "source.db"), 0o600, &bolt.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	s, err := boltstore.New(db)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.EnsureSchema(bg); err != nil {
		b.Fatal(err)
	}
	return s
}
