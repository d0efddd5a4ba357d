package redisstore

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/redis/go-redis/v9"
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
// (NARVIK_REDIS_URL), with PairedHit and PairedHitBinary: ValidateSession
// and a raw GET of a value of the same size in turns in one loop.
func BenchmarkConformance(b *testing.B) {
	client := standaloneClient(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) },
		conformance.WithRawRead(rawRead(b, client)))
}

// BenchmarkConformanceCluster runs the same benchmarks on the cluster.
func BenchmarkConformanceCluster(b *testing.B) {
	client := clusterClient(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) })
}

// rawValue is what SaveSession stores for a session of the benchmarks'
// user with their data as JSON (conformance.BenchSample): the raw
// baselines read and write values of that size.
func rawValue(b *testing.B) []byte {
	data, err := json.Marshal(conformance.BenchSample)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	r := narvik.Record{UserID: "bench-hit", ExpiresAt: now.Add(time.Hour), CreatedAt: now, Data: data}
	return encodeRecord(r, encodeUser(r.UserID))
}

// rawKey is the i-th key of the raw write baselines: a session key (the
// hex SHA-256 of a token after the prefix), as the store's keys are.
func rawKey(prefix string, i int) string {
	return prefix + "s:" + narvik.SessionIDFromToken("raw-"+strconv.Itoa(i))
}

// rawKeys returns a fresh key prefix whose keys are deleted when b ends.
func rawKeys(b *testing.B, client redis.UniversalClient) string {
	prefix := randomPrefix()
	b.Cleanup(func() { deletePrefix(b, client, prefix) })
	return prefix
}

// BenchmarkBaseline is the cheapest raw read of one session-sized value by
// key on the same client: one GET, serial and parallel.
func BenchmarkBaseline(b *testing.B) {
	conformance.BenchmarkBaseline(b, rawRead(b, standaloneClient(b)))
}

// rawRead returns the read of BenchmarkBaseline: a GET, its reply read as
// bytes, of a value of the size a session with the benchmarks' data takes,
// under a key built once.
func rawRead(b *testing.B, client redis.UniversalClient) func(b *testing.B) {
	ctx := context.Background()
	key := rawKey(rawKeys(b, client), 0)
	value := rawValue(b)
	if err := client.Set(ctx, key, value, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	return func(b *testing.B) {
		if v, err := client.Get(ctx, key).Bytes(); err != nil || len(v) != len(value) {
			b.Fatalf("GET = %d bytes, %v; want %d", len(v), err, len(value))
		}
	}
}

// BenchmarkBaselineInsert is a put-if-absent of a session-sized value with
// its expiry (SET NX PX): compare Conformance/Create with it.
func BenchmarkBaselineInsert(b *testing.B) {
	client := standaloneClient(b)
	ctx := context.Background()
	prefix, value := rawKeys(b, client), rawValue(b)
	conformance.BenchmarkBaselineEach(b, nil, func(b *testing.B, i int) {
		if ok, err := client.SetNX(ctx, rawKey(prefix, i), value, time.Hour).Result(); !ok || err != nil {
			b.Fatalf("SET NX = %v, %v", ok, err)
		}
	})
}

// BenchmarkBaselineUpdate moves the expiry of a stored session-sized value
// (PEXPIREAT), the write of an extension: compare Conformance/ValidateExtend
// with BenchmarkBaseline plus this.
func BenchmarkBaselineUpdate(b *testing.B) {
	client := standaloneClient(b)
	ctx := context.Background()
	key := rawKey(rawKeys(b, client), 0)
	if err := client.Set(ctx, key, rawValue(b), time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		at := time.UnixMilli(time.Now().UnixMilli() + time.Hour.Milliseconds() + n.Add(1))
		if ok, err := client.PExpireAt(ctx, key, at).Result(); !ok || err != nil {
			b.Fatalf("PEXPIREAT = %v, %v", ok, err)
		}
	})
}

// BenchmarkBaselineDelete is DEL of a stored session-sized value: compare
// Conformance/Invalidate with it.
func BenchmarkBaselineDelete(b *testing.B) {
	client := standaloneClient(b)
	ctx := context.Background()
	prefix, value := rawKeys(b, client), rawValue(b)
	prepare := func(b *testing.B, first, n int) {
		for start := first; start < first+n; start += batch {
			pipe := client.Pipeline()
			for i := start; i < min(start+batch, first+n); i++ {
				pipe.Set(ctx, rawKey(prefix, i), value, time.Hour)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	conformance.BenchmarkBaselineEach(b, prepare, func(b *testing.B, i int) {
		if n, err := client.Del(ctx, rawKey(prefix, i)).Result(); n != 1 || err != nil {
			b.Fatalf("DEL = %d, %v", n, err)
		}
	})
}

// BenchmarkScale shows that per-user work does not grow with the store:
// listing and deleting 10 sessions of one user among 1,000 and 100,000.
func BenchmarkScale(b *testing.B) {
	client := standaloneClient(b)
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore { return newTestStore(b, client) }, 1000, 100000)
}
