package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// BenchmarkConformance runs the shared benchmarks over a fresh collection.
func BenchmarkConformance(b *testing.B) {
	client := connect(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore {
		s, _ := newStore(b, client)
		return s
	})
}

// BenchmarkScale measures per-user work among many sessions. On mongod the
// {userId: 1, expiresAt: 1} index keeps it flat up to 100,000 sessions. FerretDB's
// SQLite backend scans the whole table for every query (its explain says
// SCAN), so there the totals stop at 10,000 and the growth is FerretDB's.
func BenchmarkScale(b *testing.B) {
	client := connect(b)
	totals := []int{1_000, 100_000}
	if askServer(b, client).FerretDB {
		totals = []int{1_000, 10_000}
	}
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore {
		s, _ := newStore(b, client)
		return s
	}, totals...)
}

// BenchmarkBaseline is the cheapest read of one session-sized document by _id
// on the same client, without the store or the core: compare it with
// BenchmarkConformance/ValidateHit to see what they add to the round trip.
func BenchmarkBaseline(b *testing.B) {
	client := connect(b)
	coll := newCollection(b, client)
	ctx := context.Background()
	now := time.Now().Truncate(time.Millisecond)
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	_, err := coll.InsertOne(ctx, bson.D{
		{Key: "_id", Value: id},
		{Key: "userId", Value: "bench-user"},
		{Key: "expiresAt", Value: now.Add(time.Hour)},
		{Key: "createdAt", Value: now},
		{Key: "data", Value: []byte(`{"ip":"203.0.113.42","ua":"Mozilla/5.0 (X11; Linux x86_64) Firefox/135.0"}`)},
	})
	if err != nil {
		b.Fatal(err)
	}
	filter := bson.D{{Key: "_id", Value: id}}
	find := func(b *testing.B) {
		if _, err := coll.FindOne(ctx, filter).Raw(); err != nil {
			b.Fatal(err)
		}
	}
	conformance.BenchmarkBaseline(b, find)
}
