package dynamostore_test

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
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
	}, conformance.WithRawRead(rawRead(b)))
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

// rawItem returns the item of a session with the benchmarks' data, as
// SaveSession writes it, under the i-th ID of the raw baselines.
func rawItem(b *testing.B, i int) map[string]types.AttributeValue {
	data, err := json.Marshal(conformance.BenchSample)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UnixMilli()
	return map[string]types.AttributeValue{
		"id":        &types.AttributeValueMemberS{Value: rawID(i)},
		"userId":    &types.AttributeValueMemberS{Value: "bench"},
		"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now+3_600_000, 10)},
		"createdAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(now, 10)},
		"ttl":       &types.AttributeValueMemberN{Value: strconv.FormatInt(now/1000+3600, 10)},
		"data":      &types.AttributeValueMemberB{Value: data},
	}
}

// rawID is the i-th session ID of the raw baselines: a session ID (the
// hex SHA-256 of a token), as the store's keys are.
func rawID(i int) string { return narvik.SessionIDFromToken("raw-" + strconv.Itoa(i)) }

func rawKey(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: rawID(i)}}
}

// BenchmarkBaseline is the cheapest raw read of one session by key on the
// same client: a strongly consistent GetItem, what FetchSession sends.
// Compare Conformance/ValidateHit with it to see what the store and the core
// add to the round trip.
func BenchmarkBaseline(b *testing.B) { conformance.BenchmarkBaseline(b, rawRead(b)) }

// rawRead returns the read of BenchmarkBaseline on a table of its own.
func rawRead(b *testing.B) func(b *testing.B) {
	client := newClient(b, endpoint(b))
	_, table := newTableStore(b, client)
	ctx := context.Background()
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: rawItem(b, 0)}); err != nil {
		b.Fatal(err)
	}
	in := &dynamodb.GetItemInput{TableName: aws.String(table), Key: rawKey(0), ConsistentRead: aws.Bool(true)}
	return func(b *testing.B) {
		out, err := client.GetItem(ctx, in)
		if err != nil || len(out.Item) == 0 {
			b.Fatalf("GetItem = %v, %v", out, err)
		}
	}
}

// BenchmarkBaselineInsert is a conditional PutItem (put-if-absent) of a
// session item: compare Conformance/Create with it.
func BenchmarkBaselineInsert(b *testing.B) {
	client := newClient(b, endpoint(b))
	_, table := newTableStore(b, client)
	ctx := context.Background()
	item := rawItem(b, 0)
	conformance.BenchmarkBaselineEach(b, nil, func(b *testing.B, i int) {
		it := maps.Clone(item)
		it["id"] = &types.AttributeValueMemberS{Value: rawID(i)}
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(table),
			Item:                it,
			ConditionExpression: aws.String("attribute_not_exists(id)"),
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineUpdate sets the expiry and TTL of a session item, the
// write of an extension: compare Conformance/ValidateExtend with
// BenchmarkBaseline plus this.
func BenchmarkBaselineUpdate(b *testing.B) {
	client := newClient(b, endpoint(b))
	_, table := newTableStore(b, client)
	ctx := context.Background()
	if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: rawItem(b, 0)}); err != nil {
		b.Fatal(err)
	}
	conformance.BenchmarkBaseline(b, func(b *testing.B) {
		ms := time.Now().UnixMilli() + 3_600_000
		_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(table),
			Key:                      rawKey(0),
			UpdateExpression:         aws.String("SET #exp = :exp, #ttl = :ttl"),
			ExpressionAttributeNames: map[string]string{"#exp": "expiresAt", "#ttl": "ttl"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(ms, 10)},
				":ttl": &types.AttributeValueMemberN{Value: strconv.FormatInt(ms/1000, 10)},
			},
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselineDelete is DeleteItem of a stored session by key: compare
// Conformance/Invalidate with it.
func BenchmarkBaselineDelete(b *testing.B) {
	client := newClient(b, endpoint(b))
	_, table := newTableStore(b, client)
	ctx := context.Background()
	item := rawItem(b, 0)
	prepare := func(b *testing.B, first, n int) {
		for i := first; i < first+n; i++ {
			it := maps.Clone(item)
			it["id"] = &types.AttributeValueMemberS{Value: rawID(i)}
			if _, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
				b.Fatal(err)
			}
		}
	}
	conformance.BenchmarkBaselineEach(b, prepare, func(b *testing.B, i int) {
		if _, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: rawKey(i)}); err != nil {
			b.Fatal(err)
		}
	})
}
