package sqltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/testkit"
)

// FullScan deletes the rows expired by now the way a table without an
// index on expires_at must: FullScanQuery, which no index can serve. It
// returns the rows deleted.
type FullScan func(ctx context.Context, now time.Time) (int64, error)

// BenchmarkSweep fills store with total sessions and measures
// DeleteAllExpiredSessions, through the index on expires_at ("index"),
// against fullScan ("fullscan"), when 1% of them expired
// ("expired=1%/...": each round saves its expired sessions untimed) and
// when none did ("expired=0/...", the usual periodic sweep).
func BenchmarkSweep(b *testing.B, store narvik.SessionStore, total int, fullScan FullScan) {
	expired := total / 100
	Fill(b, store, total-expired, false)
	ctx := context.Background()
	run := func(b *testing.B, n int, sweep func() (int64, error)) {
		b.ReportAllocs()
		for b.Loop() {
			if n > 0 {
				b.StopTimer()
				Fill(b, store, n, true)
				b.StartTimer()
			}
			if got, err := sweep(); err != nil || got != int64(n) {
				b.Fatalf("swept %d, %v; want %d", got, err, n)
			}
		}
	}
	index := func() (int64, error) { n, err := store.DeleteAllExpiredSessions(ctx); return int64(n), err }
	full := func() (int64, error) { return fullScan(ctx, time.Now()) }
	for _, n := range []int{expired, 0} {
		name := "expired=0"
		if n > 0 {
			name = "expired=1%"
		}
		b.Run(name+"/index", func(b *testing.B) { run(b, n, index) })
		b.Run(name+"/fullscan", func(b *testing.B) { run(b, n, full) })
	}
}

// Fill saves n sessions of n/10 users from 8 goroutines, expired ones
// (a minute ago) or live ones (an hour left).
func Fill(tb testing.TB, store narvik.SessionStore, n int, expired bool) {
	tb.Helper()
	now := time.Now().Truncate(time.Millisecond)
	exp := now.Add(time.Hour)
	if expired {
		exp = now.Add(-time.Minute)
	}
	testkit.SaveMany(tb, store, 8, n, func(i int) narvik.Record {
		var b [32]byte
		_, _ = rand.Read(b[:])
		return narvik.Record{ID: hex.EncodeToString(b[:]), UserID: fmt.Sprintf("fill-%d", i/10), ExpiresAt: exp, CreatedAt: now, Data: b[:24]}
	})
}

// BenchmarkBaseline saves one live session of 100 bytes of data in store
// and benchmarks read, the driver's raw read of its row by primary key
// (ReadQuery), through conformance.BenchmarkBaseline: what make bench
// divides ValidateHit by.
func BenchmarkBaseline(b *testing.B, store narvik.SessionStore, read func(b *testing.B, id string)) {
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "bench", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), Data: make([]byte, 100)}
	if err := store.SaveSession(context.Background(), r); err != nil {
		b.Fatal(err)
	}
	conformance.BenchmarkBaseline(b, func(b *testing.B) { read(b, r.ID) })
}

// BenchmarkValidateVsBaseline measures ValidateSession of a live session
// (narvik over store, with the conformance benchmarks' data) and raw, the
// driver's raw read of the same row by primary key, alternately in the
// same loop, so that a shared, noisy machine slows both alike. It reports
// each one's ns/op and their ratio ("x-baseline"), serially and with
// b.RunParallel.
func BenchmarkValidateVsBaseline(b *testing.B, store narvik.SessionStore, raw func(b *testing.B, id string)) {
	n, err := narvik.New[conformance.BenchData](store)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	res, err := n.CreateSession(ctx, "bench-vs", conformance.BenchData{IP: "203.0.113.42", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/135.0"})
	if err != nil {
		b.Fatal(err)
	}
	id := res.Session.ID
	round := func(b *testing.B, validate, base *atomic.Int64) {
		t0 := time.Now()
		if s, err := n.ValidateSession(ctx, res.Token); s == nil || err != nil {
			b.Fatalf("ValidateSession = %v, %v", s, err)
		}
		t1 := time.Now()
		raw(b, id)
		validate.Add(int64(t1.Sub(t0)))
		base.Add(int64(time.Since(t1)))
	}
	report := func(b *testing.B, validate, base *atomic.Int64) {
		v, r := float64(validate.Load())/float64(b.N), float64(base.Load())/float64(b.N)
		b.ReportMetric(v, "validate-ns/op")
		b.ReportMetric(r, "baseline-ns/op")
		b.ReportMetric(v/r, "x-baseline")
	}
	b.Run("serial", func(b *testing.B) {
		var validate, base atomic.Int64
		for b.Loop() {
			round(b, &validate, &base)
		}
		report(b, &validate, &base)
	})
	b.Run("parallel", func(b *testing.B) {
		var validate, base atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				round(b, &validate, &base)
			}
		})
		report(b, &validate, &base)
	})
}

// BenchmarkScaleRatio fills one store with small and another with large
// sessions, 10 of them one user's in each, and measures
// FetchSessionsForUser ("FetchForUser10") and DeleteSessionsForUser
// ("DeleteForUser10") of that user on both stores alternately in the same
// loop, so that the ratio ("x-small", large over small) is not skewed by a
// noisy machine. conformance.BenchmarkScale measures the same one total
// after the other.
func BenchmarkScaleRatio(b *testing.B, newStore func(testing.TB) narvik.SessionStore, small, large int) {
	ctx := context.Background()
	type side struct {
		store narvik.SessionStore
		mine  func(b *testing.B)
	}
	sides := make([]side, 2)
	// FetchForUser10 leaves each store with the user's 10 sessions;
	// DeleteForUser10 saves 10 (unmeasured) before each delete it measures.
	for i, total := range []int{small, large} {
		s := newStore(b)
		Fill(b, s, total-10, false)
		sides[i] = side{s, func(b *testing.B) {
			for range 10 {
				var id [32]byte
				_, _ = rand.Read(id[:])
				r := narvik.Record{ID: hex.EncodeToString(id[:]), UserID: "scale-user", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()}
				if err := s.SaveSession(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
		}}
		sides[i].mine(b)
	}
	// op runs one operation on one side and returns how long the part to
	// measure took.
	measure := func(b *testing.B, op func(b *testing.B, s side) time.Duration) {
		var took [2]time.Duration
		for b.Loop() {
			for i, s := range sides {
				took[i] += op(b, s)
			}
		}
		b.ReportMetric(float64(took[0])/float64(b.N), fmt.Sprintf("of=%d-ns/op", small))
		b.ReportMetric(float64(took[1])/float64(b.N), fmt.Sprintf("of=%d-ns/op", large))
		b.ReportMetric(float64(took[1])/float64(took[0]), "x-small")
	}
	b.Run("FetchForUser10", func(b *testing.B) {
		measure(b, func(b *testing.B, s side) time.Duration {
			t0 := time.Now()
			list, err := s.store.FetchSessionsForUser(ctx, "scale-user")
			d := time.Since(t0)
			if err != nil || len(list) != 10 {
				b.Fatalf("FetchSessionsForUser = %d, %v; want 10", len(list), err)
			}
			return d
		})
	})
	b.Run("DeleteForUser10", func(b *testing.B) {
		for _, s := range sides { // each round saves the 10 it deletes
			if err := s.store.DeleteSessionsForUser(ctx, "scale-user"); err != nil {
				b.Fatal(err)
			}
		}
		measure(b, func(b *testing.B, s side) time.Duration {
			s.mine(b)
			t0 := time.Now()
			err := s.store.DeleteSessionsForUser(ctx, "scale-user")
			d := time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
			return d
		})
	})
}
