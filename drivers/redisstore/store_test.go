package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// TestConformance runs the shared suite on both topologies, and the per-slot
// (cluster) code path on the standalone server too, so that its ordering is
// exercised even where a cluster is not at hand.
func TestConformance(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) {
		t.Parallel()
		client := standaloneClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, client) }, conformance.ApproximateExpiredCount())
	})
	t.Run("Cluster", func(t *testing.T) {
		t.Parallel()
		client := clusterClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			s := newTestStore(t, client)
			if s.single {
				t.Fatal("a *redis.ClusterClient must get the per-slot path")
			}
			return s
		}, conformance.ApproximateExpiredCount())
	})
	t.Run("PerSlotOnStandalone", func(t *testing.T) {
		t.Parallel()
		client := standaloneClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			s := newTestStore(t, client)
			s.single = false
			return s
		}, conformance.ApproximateExpiredCount())
	})
}

// BenchmarkConformance runs the shared benchmarks on the standalone server
// (NARVIK_REDIS_URL). Compare Conformance/ValidateHit with Baseline: the
// ratio is what the core and the driver add to one raw GET.
func BenchmarkConformance(b *testing.B) {
	client := standaloneClient(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) })
}

// BenchmarkConformanceCluster runs the same benchmarks on the cluster.
func BenchmarkConformanceCluster(b *testing.B) {
	client := clusterClient(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) })
}

// BenchmarkBaseline is the cheapest raw read of one session-sized value by
// key on the same client: one GET, serial and parallel.
func BenchmarkBaseline(b *testing.B) {
	client := standaloneClient(b)
	ctx := context.Background()
	key := randomPrefix() + "baseline"
	value := make([]byte, 180) // about the size of a stored session with ~100 bytes of data
	if err := client.Set(ctx, key, value, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { client.Del(context.Background(), key) })
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		if _, err := client.Get(ctx, key).Bytes(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkScale shows that per-user work does not grow with the store:
// listing and deleting 10 sessions of one user among 1,000 and 100,000.
func BenchmarkScale(b *testing.B) {
	client := standaloneClient(b)
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) }, 1000, 100000)
}
