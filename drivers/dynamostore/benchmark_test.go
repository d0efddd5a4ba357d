package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// BenchmarkConformance runs the shared benchmarks (through narvik.New) on a
// fresh table with the default options.
func BenchmarkConformance(b *testing.B) {
	client := newClient(b, endpoint(b))
	conformance.Benchmark(b, func(b testing.TB) narvik.SessionStore {
		s, _ := newTableStore(b, client)
		return s
	})
}

// BenchmarkScale shows that per-user work does not grow with the table: the
// GSI query reads only the user's items.
func BenchmarkScale(b *testing.B) {
	client := newClient(b, endpoint(b))
	conformance.BenchmarkScale(b, func(b testing.TB) narvik.SessionStore {
		s, _ := newTableStore(b, client)
		return s
	}, 1_000, 20_000)
}

// BenchmarkBaseline is the cheapest raw read of one session by key on the
// same client: a strongly consistent GetItem, what FetchSession sends.
// Compare Conformance/ValidateHit with it to see what the store and the core
// add to the round trip.
func BenchmarkBaseline(b *testing.B) {
	client := newClient(b, endpoint(b))
	s, table := newTableStore(b, client)
	ctx := context.Background()
	now := time.Now()
	if err := s.SaveSession(ctx, narvik.Record{
		ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", UserID: "bench",
		ExpiresAt: now.Add(time.Hour), CreatedAt: now, Data: make([]byte, 100),
	}); err != nil {
		b.Fatal(err)
	}
	in := &dynamodb.GetItemInput{
		TableName:      aws.String(table),
		Key:            map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}},
		ConsistentRead: aws.Bool(true),
	}
	get := func(b *testing.B) {
		out, err := client.GetItem(ctx, in)
		if err != nil || len(out.Item) == 0 {
			b.Fatalf("GetItem = %v, %v", out, err)
		}
	}
	conformance.BenchmarkBaseline(b, get)
}
