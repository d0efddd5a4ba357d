package dynamostore_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
)

// TestRawTableHoldsNoToken creates sessions through narvik.New, extends one,
// then reads the whole table with a raw Scan, as someone holding a backup
// would, and checks that no attribute contains any token, in text or as the
// bytes it encodes, and that each item is keyed by the token's SHA-256 hex.
func TestRawTableHoldsNoToken(t *testing.T) {
	client := newClient(t, endpoint(t))
	s, table := newTableStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	clock := time.Now()
	n, err := narvik.New[map[string]string](s, narvik.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	wantIDs := map[string]bool{}
	for i := range 5 {
		res, err := n.CreateSession(ctx, "user-1", map[string]string{"i": strings.Repeat("x", i)})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, res.Token)
		wantIDs[narvik.SessionIDFromToken(res.Token)] = true
	}
	// Extend one session, so an UpdateItem has written too.
	clock = clock.Add(20 * 24 * time.Hour)
	if got, err := n.ValidateSession(ctx, tokens[0]); err != nil || got == nil || !got.Extended {
		t.Fatalf("ValidateSession in the extension window = %+v, %v; want an extended session", got, err)
	}

	out, err := client.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != len(tokens) || len(out.LastEvaluatedKey) != 0 {
		t.Fatalf("raw Scan found %d items, want %d", len(out.Items), len(tokens))
	}
	for _, item := range out.Items {
		id := item["id"].(*types.AttributeValueMemberS).Value
		if !wantIDs[id] {
			t.Fatalf("item keyed %q, which is not the SHA-256 hex of any token", id)
		}
		for name, v := range item {
			raw := attrBytes(v)
			for _, tok := range tokens {
				tokBytes, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(tok))
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(bytes.ToLower(raw), []byte(tok)) || bytes.Contains(raw, tokBytes) {
					t.Fatalf("attribute %q of item %s contains a token", name, id)
				}
			}
		}
	}
}

// attrBytes flattens an attribute value to the bytes stored.
func attrBytes(v types.AttributeValue) []byte {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return []byte(v.Value)
	case *types.AttributeValueMemberN:
		return []byte(v.Value)
	case *types.AttributeValueMemberB:
		return v.Value
	default: // the store writes no other type; print whatever is there
		return []byte(fmt.Sprintf("%v", v))
	}
}
