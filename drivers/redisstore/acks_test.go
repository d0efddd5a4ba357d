package redisstore

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/redis/go-redis/v9"
)

// TestWithReplicaAcksRefusesBadInput: New refuses, without I/O, a setting
// that cannot work, with an error wrapping narvik.ErrInvalidOption.
func TestWithReplicaAcksRefusesBadInput(t *testing.T) {
	// Never dialled: New does no I/O.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ReadTimeout: 2 * time.Second})
	defer client.Close()
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	defer ring.Close()
	for _, c := range []struct {
		name    string
		client  redis.UniversalClient
		n       int
		timeout time.Duration
	}{
		{"NoReplicas", client, 0, time.Second},
		{"NegativeReplicas", client, -1, time.Second},
		{"ZeroTimeout", client, 1, 0}, // WAIT n 0 would block forever
		{"NegativeTimeout", client, 1, -time.Second},
		{"SubMillisecondTimeout", client, 1, 500 * time.Microsecond},
		{"TimeoutAtReadTimeout", client, 1, 2 * time.Second},
		{"TimeoutPastClusterReadTimeout", cluster, 1, time.Minute}, // the default ReadTimeout is 5s
		{"Ring", ring, 1, time.Second},
	} {
		if _, err := New(c.client, WithReplicaAcks(c.n, c.timeout)); !errors.Is(err, narvik.ErrInvalidOption) {
			t.Errorf("%s: New(WithReplicaAcks(%d, %v)) = %v, want an error wrapping narvik.ErrInvalidOption", c.name, c.n, c.timeout, err)
		}
	}
	for _, c := range []redis.UniversalClient{client, cluster} {
		s, err := New(c, WithReplicaAcks(2, 1500*time.Microsecond))
		if err != nil {
			t.Fatalf("New(%T, WithReplicaAcks(2, 1.5ms)) = %v", c, err)
		}
		if s.acks.n != 2 || s.acks.rounded() != 2*time.Millisecond {
			t.Errorf("%T: n = %d, timeout %v; want 2 and 1.5ms rounded up to 2ms", c, s.acks.n, s.acks.rounded())
		}
	}
	if s, err := New(client); err != nil || s.acks != nil {
		t.Errorf("New without the option = %+v, %v; want a store that waits for no replica", s, err)
	}
}

// TestReplicaAcksRoundTrips: on a standalone primary with WithReplicaAcks,
// each revocation is still one round trip (the script, the touch and WAIT
// in one pipeline on one connection), and saves and reads do not wait.
func TestReplicaAcksRoundTrips(t *testing.T) {
	primary := startRedis(t, "primary")
	startReplicaOf(t, primary.Port)
	client := nodeClient(t, primary.Addr())
	waitReplicas(t, client, 1)
	s := privateStore(t, client, randomPrefix(), WithReplicaAcks(1, ackTimeout))
	ctx := context.Background()
	var c counter
	client.AddHook(&c)
	r := rec(newID(), "dave", time.Hour)
	ops := []struct {
		name        string
		trips, cmds int64
		call        func() error
	}{
		{"SaveSession", 1, 1, func() error { return s.SaveSession(ctx, r) }},
		{"FetchSession", 1, 1, func() error { _, err := s.FetchSession(ctx, r.ID); return err }},
		{"UpdateSessionExpiry", 1, 3, func() error { return s.UpdateSessionExpiry(ctx, r.ID, r.ExpiresAt.Add(time.Minute)) }},
		{"DeleteSession", 1, 3, func() error { return s.DeleteSession(ctx, r.ID) }},
		{"DeleteSessionsForUser", 1, 3, func() error { return s.DeleteSessionsForUser(ctx, "dave") }},
	}
	for _, op := range ops { // the first time, the server learns the scripts
		if err := op.call(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
	}
	for _, op := range ops {
		var err error
		trips, cmds := c.measure(func() { err = op.call() })
		if err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if trips != op.trips || cmds != op.cmds {
			t.Errorf("%s: %d round trips, %d commands; want %d and %d", op.name, trips, cmds, op.trips, op.cmds)
		}
	}
}

// BenchmarkReplicaAcks compares revocation with and without WithReplicaAcks
// against a private primary with one replica, in the same run:
//
//	go test -run '^$' -bench 'ReplicaAcks/.*/Invalidate' ./drivers/redisstore
//
// The ratio On/Off of InvalidateSession (serial and parallel) is the cost
// quoted in the option's documentation.
func BenchmarkReplicaAcks(b *testing.B) {
	primary := startRedis(b, "primary")
	startReplicaOf(b, primary.Port)
	client := nodeClient(b, primary.Addr())
	waitReplicas(b, client, 1)
	for _, c := range []struct {
		name string
		opts []Option
	}{{"Off", nil}, {"On", []Option{WithReplicaAcks(1, ackTimeout)}}} {
		b.Run(c.name, func(b *testing.B) {
			conformance.Benchmark(b, func(tb testing.TB) narvik.SessionStore {
				return privateStore(tb, client, randomPrefix(), c.opts...)
			})
		})
	}
}

// BenchmarkReplicaAcksRatio measures the same cost with less noise on a
// shared machine: each iteration invalidates one session without the
// option and one with it (in alternating order), timing each, so that
// bursts of load from other processes fall on both alike. It reports both
// times per InvalidateSession and their ratio.
func BenchmarkReplicaAcksRatio(b *testing.B) {
	primary := startRedis(b, "primary")
	startReplicaOf(b, primary.Port)
	client := nodeClient(b, primary.Addr())
	waitReplicas(b, client, 1)
	newAuth := func(opts ...Option) *narvik.Narvik[failoverData] {
		n, err := narvik.New[failoverData](privateStore(b, client, randomPrefix(), opts...))
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	off, on := newAuth(), newAuth(WithReplicaAcks(1, ackTimeout))
	ctx := context.Background()
	for _, mode := range []string{"serial", "parallel"} {
		b.Run(mode, func(b *testing.B) {
			ids := func(n *narvik.Narvik[failoverData]) []string {
				out := make([]string, b.N)
				for i := range out {
					res, err := n.CreateSession(ctx, "bench", failoverData{i})
					if err != nil {
						b.Fatal(err)
					}
					out[i] = res.Session.ID
				}
				return out
			}
			offIDs, onIDs := ids(off), ids(on)
			var offNS, onNS, next atomic.Int64
			invalidate := func(n *narvik.Narvik[failoverData], id string, sum *atomic.Int64) {
				start := time.Now()
				if err := n.InvalidateSession(ctx, id); err != nil {
					b.Error(err)
				}
				sum.Add(int64(time.Since(start)))
			}
			op := func(i int) {
				if i%2 == 0 {
					invalidate(off, offIDs[i], &offNS)
					invalidate(on, onIDs[i], &onNS)
				} else {
					invalidate(on, onIDs[i], &onNS)
					invalidate(off, offIDs[i], &offNS)
				}
			}
			b.ResetTimer()
			if mode == "serial" {
				for i := range b.N {
					op(i)
				}
			} else {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						op(int(next.Add(1) - 1))
					}
				})
			}
			b.ReportMetric(float64(offNS.Load())/float64(b.N), "off-ns/op")
			b.ReportMetric(float64(onNS.Load())/float64(b.N), "on-ns/op")
			b.ReportMetric(float64(onNS.Load())/float64(offNS.Load()), "on/off")
		})
	}
}
