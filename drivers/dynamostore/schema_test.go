package dynamostore_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// TestEnsureSchema checks the table EnsureSchema makes against the schema the
// package documentation promises, and that a second call only reads.
func TestEnsureSchema(t *testing.T) {
	var rec opRecorder
	client := newClient(t, endpoint(t), rec.option)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	s, table := newTableStore(t, client)
	if ops := rec.take(); ops["CreateTable"] != 1 || ops["UpdateTimeToLive"] != 1 {
		t.Fatalf("first EnsureSchema sent %v, want one CreateTable and one UpdateTimeToLive", ops)
	}

	desc, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	tab := desc.Table
	if tab.TableStatus != types.TableStatusActive {
		t.Errorf("table status %s, want ACTIVE", tab.TableStatus)
	}
	if tab.BillingModeSummary == nil || tab.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %+v, want PAY_PER_REQUEST", tab.BillingModeSummary)
	}
	if len(tab.KeySchema) != 1 || aws.ToString(tab.KeySchema[0].AttributeName) != "id" || tab.KeySchema[0].KeyType != types.KeyTypeHash {
		t.Errorf("key schema %+v, want id HASH only", tab.KeySchema)
	}
	attrs := map[string]types.ScalarAttributeType{}
	for _, a := range tab.AttributeDefinitions {
		attrs[aws.ToString(a.AttributeName)] = a.AttributeType
	}
	if want := map[string]types.ScalarAttributeType{"id": "S", "userId": "S"}; !maps.Equal(attrs, want) {
		t.Errorf("attribute definitions %v, want %v", attrs, want)
	}
	if len(tab.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("%d GSIs, want 1", len(tab.GlobalSecondaryIndexes))
	}
	gsi := tab.GlobalSecondaryIndexes[0]
	if aws.ToString(gsi.IndexName) != "userId-index" || len(gsi.KeySchema) != 1 ||
		aws.ToString(gsi.KeySchema[0].AttributeName) != "userId" || gsi.KeySchema[0].KeyType != types.KeyTypeHash ||
		gsi.Projection == nil || gsi.Projection.ProjectionType != types.ProjectionTypeAll || gsi.IndexStatus != types.IndexStatusActive {
		t.Errorf("GSI %s keys %+v projection %+v status %s; want userId-index, userId HASH, ALL, ACTIVE",
			aws.ToString(gsi.IndexName), gsi.KeySchema, gsi.Projection, gsi.IndexStatus)
	}
	assertTTL(t, client, table, types.TimeToLiveStatusEnabled)

	// A session saved now must survive the second call, which must only read.
	r := narvik.Record{ID: "kept", UserID: "u", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now()}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	rec.take()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("second EnsureSchema: %v", err)
	}
	if ops := rec.take(); !maps.Equal(ops, map[string]int{"DescribeTable": 1, "DescribeTimeToLive": 1}) {
		t.Fatalf("second EnsureSchema sent %v, want only one DescribeTable and one DescribeTimeToLive", ops)
	}
	// The deprecated name does the same.
	if err := s.EnsureTable(ctx); err != nil {
		t.Fatalf("EnsureTable: %v", err)
	}
	if ops := rec.take(); !maps.Equal(ops, map[string]int{"DescribeTable": 1, "DescribeTimeToLive": 1}) {
		t.Fatalf("EnsureTable sent %v, want only one DescribeTable and one DescribeTimeToLive", ops)
	}
	again, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(again.Table.CreationDateTime).Equal(aws.ToTime(tab.CreationDateTime)) {
		t.Fatalf("table re-created by the second EnsureSchema")
	}
	if _, err := s.FetchSession(ctx, "kept"); err != nil {
		t.Fatalf("session saved before the second EnsureSchema: %v", err)
	}
	assertTTL(t, client, table, types.TimeToLiveStatusEnabled)
}

// TestEnsureSchemaSweepLeavesTTLOff: with WithExpiredSweep the store does the
// expiring, so EnsureSchema must not enable TTL (its deletes would make the
// sweep's count inexact).
func TestEnsureSchemaSweepLeavesTTLOff(t *testing.T) {
	client := newClient(t, endpoint(t))
	_, table := newTableStore(t, client, dynamostore.WithExpiredSweep(2))
	assertTTL(t, client, table, types.TimeToLiveStatusDisabled)
}

// TestEnsureSchemaRefusesForeignSchema: a table with another layout is
// reported, never altered.
func TestEnsureSchemaRefusesForeignSchema(t *testing.T) {
	client := newClient(t, endpoint(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	table := uniqueTable(t)
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropTable(t, client, table) })
	s, err := dynamostore.New(client, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(ctx); !errors.Is(err, dynamostore.ErrTableSchema) {
		t.Fatalf("EnsureSchema on a table without the userId-index = %v, want ErrTableSchema", err)
	}
	assertTTL(t, client, table, types.TimeToLiveStatusDisabled)
}

func assertTTL(t *testing.T, client *dynamodb.Client, table string, want types.TimeToLiveStatus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	d := out.TimeToLiveDescription
	if d == nil || d.TimeToLiveStatus != want {
		t.Fatalf("TTL = %+v, want status %s", d, want)
	}
	if want == types.TimeToLiveStatusEnabled && aws.ToString(d.AttributeName) != "ttl" {
		t.Fatalf("TTL attribute %q, want ttl", aws.ToString(d.AttributeName))
	}
}
