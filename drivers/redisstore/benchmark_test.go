package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

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
