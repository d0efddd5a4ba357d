package dynamostore_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// One test per error of narvik's vocabulary that this driver produces.
// narvik.ErrInvalidUserID and ErrInvalidSessionID: the conformance suite
// (Identity, Keys) and TestUnstorableKeysNeedNoRoundTrip; ErrTableSchema:
// TestEnsureSchemaRefusesForeignSchema.

// TestNewRefusesBadInput: New does no I/O and refuses what it cannot use
// with the shared errors: a nil client (narvik.ErrNilClient, typed nil
// included), a bad table name or option (narvik.ErrInvalidOption).
func TestNewRefusesBadInput(t *testing.T) {
	client := dynamodb.New(dynamodb.Options{Region: "us-east-1"}) // never used
	cases := []struct {
		name   string
		client dynamostore.API
		table  string
		opts   []dynamostore.Option
		want   []error
	}{
		{"nil client", nil, "sessions", nil, []error{narvik.ErrNilClient, dynamostore.ErrNilClient}},
		{"typed nil client", (*dynamodb.Client)(nil), "sessions", nil, []error{narvik.ErrNilClient}},
		{"empty table", client, "", nil, []error{dynamostore.ErrInvalidTable, narvik.ErrInvalidOption}},
		{"short table", client, "ab", nil, []error{dynamostore.ErrInvalidTable, narvik.ErrInvalidOption}},
		{"bad character", client, "sessions/prod", nil, []error{dynamostore.ErrInvalidTable, narvik.ErrInvalidOption}},
		{"zero page size", client, "sessions", []dynamostore.Option{dynamostore.WithQueryPageSize(0)}, []error{narvik.ErrInvalidOption, dynamostore.ErrInvalidOption}},
		{"negative segments", client, "sessions", []dynamostore.Option{dynamostore.WithExpiredSweep(-1)}, []error{narvik.ErrInvalidOption}},
		{"too many segments", client, "sessions", []dynamostore.Option{dynamostore.WithExpiredSweep(1_000_001)}, []error{narvik.ErrInvalidOption}},
		{"zero walk segments", client, "sessions", []dynamostore.Option{dynamostore.WithWalkSegments(0)}, []error{narvik.ErrInvalidOption}},
	}
	for _, c := range cases {
		s, err := dynamostore.New(c.client, c.table, c.opts...)
		for _, want := range c.want {
			if !errors.Is(err, want) || s != nil {
				t.Errorf("%s: New = %v, %v; want nil, an error matching %v", c.name, s, err, want)
			}
		}
	}
	if s, err := dynamostore.New(client, "sessions", nil, dynamostore.WithQueryPageSize(5), dynamostore.WithWalkSegments(4)); err != nil || s == nil {
		t.Fatalf("New with good options = %v, %v", s, err)
	}
}

// TestCorruptItem: an item of the table that this store did not write (an
// attribute of the wrong type, as another program might leave) is an error
// wrapping narvik.ErrBadRecord from every read that meets it, never a
// session and never "not found", in both walk modes.
func TestCorruptItem(t *testing.T) {
	t.Parallel() // own table; pauses until the serial tests (which count goroutines) are done
	client := newClient(t, endpoint(t))
	s, table := newTableStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const id = "c0ffee0000000000000000000000000000000000000000000000000000000000"
	// Live by its expiresAt, so that no read filters it out by expiry, but
	// its data is a String where the store writes Binary.
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(table),
		Item: map[string]types.AttributeValue{
			"id":        &types.AttributeValueMemberS{Value: id},
			"userId":    &types.AttributeValueMemberS{Value: "mallory"},
			"expiresAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)},
			"createdAt": &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixMilli(), 10)},
			"data":      &types.AttributeValueMemberS{Value: `{"admin":true}`},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := s.FetchSession(ctx, id); !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("FetchSession of a corrupt item = %+v, %v; want an error wrapping narvik.ErrBadRecord", r, err)
	}
	if list, err := s.FetchSessionsForUser(ctx, "mallory"); !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("FetchSessionsForUser over a corrupt item = %d records, %v; want an error wrapping narvik.ErrBadRecord", len(list), err)
	}
	for _, segments := range []int{1, 2} {
		w, err := dynamostore.New(client, table, dynamostore.WithWalkSegments(segments))
		if err != nil {
			t.Fatal(err)
		}
		var walkErr error
		for _, err := range w.AllSessions(ctx) {
			walkErr = err
		}
		if !errors.Is(walkErr, narvik.ErrBadRecord) {
			t.Fatalf("AllSessions (%d segments) over a corrupt item ended with %v; want an error wrapping narvik.ErrBadRecord", segments, walkErr)
		}
	}
	// Through the core, the corrupt item is an error, never a session.
	n, err := narvik.New[struct{}](s)
	if err != nil {
		t.Fatal(err)
	}
	if list, err := n.FetchSessionsForUser(ctx, "mallory"); !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("narvik FetchSessionsForUser = %v, %v; want narvik.ErrBadRecord", list, err)
	}
}
