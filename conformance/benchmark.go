package conformance

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// Benchmark runs the shared benchmarks against one store from newStore,
// through narvik.New, each serially and with b.RunParallel:
//
//	ValidateHit       a live session, no extension (the per-request cost), its BenchData as JSON
//	ValidateHitBinary the same with BenchBinaryData, which encodes itself (narvik.DataMarshaler)
//	ValidateHitNoData the same with empty session data: the core's own share, without the codec
//	ValidateMiss      a well-formed token that names no session
//	ValidateMalformed a token narvik could not have issued (reports storecalls/op, which must be 0)
//	Create            CreateSession
//	ValidateExtend    every validation extends the session (one extra write)
//	Invalidate        InvalidateSession of an existing session
//	FetchForUser10    FetchSessionsForUser of a user with 10 sessions
//
// Compare ValidateHit with the cheapest raw read of one value by key on the
// same client (a driver's BenchmarkBaseline) to see what the core adds.
//
// With WithRawRead, it also runs PairedHitBinary and PairedHit: the raw read
// and ValidateSession alternately in one loop (see BenchmarkPaired), whose
// ratio holds on a machine too busy for two separate measurements to agree.
func Benchmark(b *testing.B, newStore NewStore, opts ...BenchOption) {
	var cfg benchConfig
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	store := testkit.Wrap(newStore(b))
	ctx := context.Background()
	n, err := narvik.New[BenchData](store)
	if err != nil {
		b.Fatal(err)
	}
	mustCreate := func(b *testing.B, n *narvik.Narvik[BenchData], userID string) string {
		res, err := n.CreateSession(ctx, userID, BenchSample)
		if err != nil {
			b.Fatal(err)
		}
		return res.Token
	}
	hit := mustCreate(b, n, "bench-hit")
	forUser := "bench-user10"
	for range 10 {
		mustCreate(b, n, forUser)
	}
	const miss = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

	bench := func(name string, op func(b *testing.B, n *narvik.Narvik[BenchData], i int)) {
		b.Run(name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				op(b, n, i)
			}
		})
		b.Run(name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					op(b, n, int(next.Add(1)-1))
				}
			})
		})
	}

	bench("ValidateHit", func(b *testing.B, n *narvik.Narvik[BenchData], _ int) {
		if s, err := n.ValidateSession(ctx, hit); s == nil || err != nil || s.Extended {
			b.Fatalf("ValidateSession(hit) = %v, %v", s, err)
		}
	})
	nb, err := narvik.New[BenchBinaryData](store)
	if err != nil {
		b.Fatal(err)
	}
	binRes, err := nb.CreateSession(ctx, "bench-binary", BenchBinaryData(BenchSample))
	if err != nil {
		b.Fatal(err)
	}
	validateBinary := func(b *testing.B) {
		if s, err := nb.ValidateSession(ctx, binRes.Token); s == nil || err != nil || s.Data.IP != BenchSample.IP {
			b.Fatalf("ValidateSession = %v, %v", s, err)
		}
	}
	validateJSON := func(b *testing.B) {
		if s, err := n.ValidateSession(ctx, hit); s == nil || err != nil || s.Data.IP != BenchSample.IP {
			b.Fatalf("ValidateSession = %v, %v", s, err)
		}
	}
	b.Run("ValidateHitBinary", func(b *testing.B) { BenchmarkBaseline(b, validateBinary) })
	if cfg.rawRead != nil {
		b.Run("PairedHitBinary", func(b *testing.B) { BenchmarkPaired(b, cfg.rawRead, validateBinary) })
		b.Run("PairedHit", func(b *testing.B) { BenchmarkPaired(b, cfg.rawRead, validateJSON) })
	}
	bench("ValidateMiss", func(b *testing.B, n *narvik.Narvik[BenchData], _ int) {
		if s, err := n.ValidateSession(ctx, miss); s != nil || err != nil {
			b.Fatalf("ValidateSession(miss) = %v, %v", s, err)
		}
	})
	b.Run("ValidateMalformed/serial", func(b *testing.B) {
		b.ReportAllocs()
		before := store.Total()
		for b.Loop() {
			if s, err := n.ValidateSession(ctx, "not-a-token"); s != nil || err != nil {
				b.Fatalf("ValidateSession(malformed) = %v, %v", s, err)
			}
		}
		b.ReportMetric(float64(store.Total()-before)/float64(b.N), "storecalls/op")
	})
	bench("Create", func(b *testing.B, n *narvik.Narvik[BenchData], _ int) {
		mustCreate(b, n, "bench-create")
	})
	bench("FetchForUser10", func(b *testing.B, n *narvik.Narvik[BenchData], _ int) {
		if list, err := n.FetchSessionsForUser(ctx, forUser); len(list) != 10 || err != nil {
			b.Fatalf("FetchSessionsForUser = %d sessions, %v; want 10", len(list), err)
		}
	})

	// Extension: a two-hour session and a clock that moves an hour and a
	// millisecond per call, so every validation lands in the window. Each
	// goroutine has its own session and clock: a clock shared across
	// goroutines would let a stale read see a session as expired.
	extender := func(b *testing.B) func() {
		var clock atomic.Int64
		clock.Store(time.Now().UnixNano())
		en, err := narvik.New[BenchData](store, narvik.WithSessionExpiresIn(2*time.Hour), narvik.WithClock(func() time.Time {
			return time.Unix(0, clock.Add(int64(time.Hour+time.Millisecond)))
		}))
		if err != nil {
			b.Fatal(err)
		}
		tok := mustCreate(b, en, "bench-extend")
		return func() {
			if s, err := en.ValidateSession(ctx, tok); s == nil || err != nil || !s.Extended {
				b.Fatalf("ValidateSession(extend) = %+v, %v; want an extended session", s, err)
			}
		}
	}
	b.Run("ValidateExtend/serial", func(b *testing.B) {
		op := extender(b)
		b.ReportAllocs()
		for b.Loop() {
			op()
		}
	})
	b.Run("ValidateExtend/parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			op := extender(b)
			for pb.Next() {
				op()
			}
		})
	})

	// The core's own share: no session data, so no codec work (a zero-size
	// D skips the codec), only hashing, the store call and the Session.
	b.Run("ValidateHitNoData/serial", func(b *testing.B) {
		nd, err := narvik.New[struct{}](store)
		if err != nil {
			b.Fatal(err)
		}
		res, err := nd.CreateSession(ctx, "bench-nodata", struct{}{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if s, err := nd.ValidateSession(ctx, res.Token); s == nil || err != nil {
				b.Fatalf("ValidateSession = %v, %v", s, err)
			}
		}
	})

	for _, mode := range []string{"serial", "parallel"} {
		b.Run("Invalidate/"+mode, func(b *testing.B) {
			ids := make([]string, b.N)
			for i := range ids {
				res, err := n.CreateSession(ctx, "bench-invalidate", BenchSample)
				if err != nil {
					b.Fatal(err)
				}
				ids[i] = res.Session.ID
			}
			b.ReportAllocs()
			b.ResetTimer()
			if mode == "serial" {
				for i := range b.N {
					if err := n.InvalidateSession(ctx, ids[i]); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			var next atomic.Int64
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := n.InvalidateSession(ctx, ids[next.Add(1)-1]); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchOption configures Benchmark.
type BenchOption func(*benchConfig)

type benchConfig struct {
	rawRead func(b *testing.B)
}

// WithRawRead gives Benchmark the driver's raw read of one session-sized
// value by key, the op of its BenchmarkBaseline, to pair with
// ValidateSession (PairedHitBinary, PairedHit). read must be safe for
// concurrent use.
func WithRawRead(read func(b *testing.B)) BenchOption {
	return func(c *benchConfig) { c.rawRead = read }
}

// BenchmarkPaired measures op against raw when the machine is too busy for
// two separate benchmarks to see the same conditions: each iteration runs
// both, in alternating order, timing each call, so that whatever slows one
// slows the other. It reports, serially and in parallel, "ratio" (op's
// total time over raw's) and each side's "raw-ns/op" and "op-ns/op". The
// clock reads add the same small amount to both sides, which moves the
// ratio towards 1 only for operations of a few hundred nanoseconds.
func BenchmarkPaired(b *testing.B, raw, op func(b *testing.B)) {
	report := func(b *testing.B, rawNs, opNs int64) {
		b.ReportMetric(float64(opNs)/float64(rawNs), "ratio")
		b.ReportMetric(float64(rawNs)/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(opNs)/float64(b.N), "op-ns/op")
	}
	pair := func(b *testing.B, i int, rawNs, opNs *int64) {
		first, second, firstNs, secondNs := raw, op, rawNs, opNs
		if i%2 == 1 {
			first, second, firstNs, secondNs = op, raw, opNs, rawNs
		}
		t0 := time.Now()
		first(b)
		t1 := time.Now()
		second(b)
		t2 := time.Now()
		*firstNs += t1.Sub(t0).Nanoseconds()
		*secondNs += t2.Sub(t1).Nanoseconds()
	}
	b.Run("serial", func(b *testing.B) {
		var rawNs, opNs int64
		for i := 0; b.Loop(); i++ {
			pair(b, i, &rawNs, &opNs)
		}
		report(b, rawNs, opNs)
	})
	b.Run("parallel", func(b *testing.B) {
		var rawTotal, opTotal atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			var rawNs, opNs int64
			for i := 0; pb.Next(); i++ {
				pair(b, i, &rawNs, &opNs)
			}
			rawTotal.Add(rawNs)
			opTotal.Add(opNs)
		})
		report(b, rawTotal.Load(), opTotal.Load())
	})
}

// BenchmarkBaseline benchmarks op, a driver's cheapest raw operation on its
// own client (a read of one value by key, or a write), as the
// sub-benchmarks "serial" and "parallel" that make bench's table divides
// the matching narvik benchmark by. op must be safe for concurrent use.
//
// make bench divides ValidateHit (and ValidateHitBinary, ValidateHitNoData)
// by a driver's BenchmarkBaseline, the raw read of one session-sized value
// by key; Create by its BenchmarkBaselineInsert, Invalidate by its
// BenchmarkBaselineDelete, and ValidateExtend by the sum of
// BenchmarkBaseline and BenchmarkBaselineUpdate (an extension is a read and
// a write); see BenchmarkBaselineEach for the writes.
func BenchmarkBaseline(b *testing.B, op func(b *testing.B)) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			op(b)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op(b)
			}
		})
	})
}

// BenchmarkBaselineEach is BenchmarkBaseline for raw writes, which need a
// value of their own per call: op(b, i) acts on the i-th, for i from 0 to
// the number of calls, each i exactly once. prepare, when not nil, first
// makes n values for op to act on with the timer stopped (the records a
// delete removes); an insert makes its own from i. The serial and parallel
// runs get disjoint i, so their values never meet.
func BenchmarkBaselineEach(b *testing.B, prepare func(b *testing.B, first, n int), op func(b *testing.B, i int)) {
	var next atomic.Int64
	run := func(b *testing.B, parallel bool) {
		first := int(next.Load())
		next.Add(int64(b.N))
		if prepare != nil {
			prepare(b, first, b.N)
		}
		b.ReportAllocs()
		b.ResetTimer()
		if !parallel {
			for i := range b.N {
				op(b, first+i)
			}
			return
		}
		var k atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op(b, first+int(k.Add(1)-1))
			}
		})
	}
	b.Run("serial", func(b *testing.B) { run(b, false) })
	b.Run("parallel", func(b *testing.B) { run(b, true) })
}
