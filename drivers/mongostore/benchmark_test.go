package mongostore_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// BenchmarkConformance runs the shared benchmarks over a fresh collection.
func BenchmarkConformance(b *testing.B) {
	client := connect(b)
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore {
		s, _ := newStore(b, client)
		return s
	}, conformance.WithRawRead(rawRead(b)))
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

// rawCollection returns a fresh collection with the concerns the store
// sets on its own (majority writes, local reads from the primary), so the
// raw baselines send the very commands the store sends, and the session
// document of the benchmarks' data, as SaveSession writes it.
func rawCollection(b *testing.B) (*mongo.Collection, bson.D) {
	coll := newCollection(b, connect(b)).Clone(options.Collection().
		SetWriteConcern(writeconcern.Majority()).
		SetReadConcern(readconcern.Local()).
		SetReadPreference(readpref.Primary()))
	data, err := json.Marshal(conformance.BenchSample)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	return coll, bson.D{
		{Key: "_id", Value: rawID(0)},
		{Key: "userId", Value: "bench-user"},
		{Key: "expiresAt", Value: now.Add(time.Hour)},
		{Key: "createdAt", Value: now},
		{Key: "data", Value: data},
	}
}

// rawID is the i-th _id of the raw baselines: a session ID (the hex
// SHA-256 of a token), so that writes land in the index as sessions' do.
func rawID(i int) string { return narvik.SessionIDFromToken("raw-" + strconv.Itoa(i)) }

// withID returns doc with its _id replaced.
func withID(doc bson.D, id string) bson.D {
	return append(bson.D{{Key: "_id", Value: id}}, doc[1:]...)
}

// BenchmarkBaseline is the cheapest read of one session document by _id on
// the same client, without the store or the core: compare it with
// BenchmarkConformance/ValidateHit to see what they add to the round trip.
func BenchmarkBaseline(b *testing.B) { conformance.BenchmarkBaseline(b, rawRead(b)) }

// rawRead returns the read of BenchmarkBaseline on a collection of its own.
func rawRead(b *testing.B) func(b *testing.B) {
	coll, doc := rawCollection(b)
	ctx := context.Background()
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		b.Fatal(err)
	}
	filter := bson.D{{Key: "_id", Value: rawID(0)}}
	return func(b *testing.B) {
		if _, err := coll.FindOne(ctx, filter).Raw(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineInsert is InsertOne of a session document: compare
// Conformance/Create with it.
func BenchmarkBaselineInsert(b *testing.B) {
	coll, doc := rawCollection(b)
	ctx := context.Background()
	conformance.BenchmarkBaselineEach(b, nil, func(b *testing.B, i int) {
		if _, err := coll.InsertOne(ctx, withID(doc, rawID(i))); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineUpdate sets the expiry of a session document, the write
// of an extension: compare Conformance/ValidateExtend with BenchmarkBaseline
// plus this.
func BenchmarkBaselineUpdate(b *testing.B) {
	coll, doc := rawCollection(b)
	ctx := context.Background()
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		b.Fatal(err)
	}
	filter := bson.D{{Key: "_id", Value: rawID(0)}}
	var n atomic.Int64
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		at := time.UnixMilli(time.Now().UnixMilli() + n.Add(1))
		if _, err := coll.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "expiresAt", Value: at}}}}); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineDelete is DeleteOne of a stored session document by
// _id: compare Conformance/Invalidate with it.
func BenchmarkBaselineDelete(b *testing.B) {
	coll, doc := rawCollection(b)
	ctx := context.Background()
	prepare := func(b *testing.B, first, n int) {
		docs := make([]any, n)
		for i := range docs {
			docs[i] = withID(doc, rawID(first+i))
		}
		if _, err := coll.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	conformance.BenchmarkBaselineEach(b, prepare, func(b *testing.B, i int) {
		if res, err := coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: rawID(i)}}); err != nil || res.DeletedCount != 1 {
			b.Fatalf("DeleteOne = %v, %v", res, err)
		}
	})
}
