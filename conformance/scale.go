package conformance

import (
	"context"
	"fmt"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// BenchmarkScale measures per-user work as the store grows: for each total
// in totals, newStore's store is filled with total sessions, 10 of them one
// user's, and FetchSessionsForUser and DeleteSessionsForUser of that user are
// timed (sub-benchmarks "FetchForUser10/of=N" and "DeleteForUser10/of=N").
// A store whose per-user work costs O(that user's sessions) shows the same
// time for every total; one that scans shows it growing with N.
//
// newStore is called once per total and must return an empty store.
func BenchmarkScale(b *testing.B, newStore NewStore, totals ...int) {
	ctx := context.Background()
	for _, total := range totals {
		s := newStore(b)
		fill(b, s, total-10)
		user := fmt.Sprintf("scale-user-%d", total)
		mine := func() {
			for range 10 {
				if err := s.SaveSession(ctx, newRecord(user)); err != nil {
					b.Fatal(err)
				}
			}
		}
		mine()
		b.Run(fmt.Sprintf("FetchForUser10/of=%d", total), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if list, err := s.FetchSessionsForUser(ctx, user); err != nil || len(list) != 10 {
					b.Fatalf("FetchSessionsForUser = %d, %v; want 10", len(list), err)
				}
			}
		})
		b.Run(fmt.Sprintf("DeleteForUser10/of=%d", total), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				mine()
				b.StartTimer()
				if err := s.DeleteSessionsForUser(ctx, user); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			mine() // leave the user as found, for the next b.N round
		})
	}
}

// fill saves n live sessions spread over n/10 users, from 16 goroutines.
func fill(b *testing.B, s narvik.SessionStore, n int) {
	b.Helper()
	testkit.SaveMany(b, s, 16, n, func(i int) narvik.Record { return newRecord(fmt.Sprintf("filler-%d", i/10)) })
}
