package dynamostore

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
)

func TestTTLSecondsRoundsUp(t *testing.T) {
	cases := []struct {
		ms   int64
		want int64
	}{
		{0, 0}, {1, 1}, {999, 1}, {1000, 1}, {1001, 2},
		{1_700_000_000_000, 1_700_000_000}, {1_700_000_000_001, 1_700_000_001},
		{-1, 0}, {-999, 0}, {-1000, -1}, {-1500, -1},
	}
	for _, c := range cases {
		got := ttlSeconds(time.UnixMilli(c.ms))
		if got != c.want {
			t.Errorf("ttlSeconds(%d ms) = %d, want %d", c.ms, got, c.want)
		}
		if got*1000 < c.ms {
			t.Errorf("ttlSeconds(%d ms) = %d s is before the expiry: TTL would delete a live item", c.ms, got)
		}
	}
}

func TestItemRoundTrip(t *testing.T) {
	r := narvik.Record{
		ID: "id\x00é", UserID: "user:{1}", Data: []byte{0, 1, 0xff},
		ExpiresAt: time.UnixMilli(1_800_000_000_123), CreatedAt: time.UnixMilli(1_700_000_000_456),
	}
	item := toItem(r)
	got, err := fromItem(item)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != r.ID || got.UserID != r.UserID || !got.ExpiresAt.Equal(r.ExpiresAt) || !got.CreatedAt.Equal(r.CreatedAt) ||
		!bytes.Equal(got.Data, []byte{0, 1, 0xff}) {
		t.Fatalf("round trip = %+v", got)
	}
	if n := item[TTLAttribute].(*types.AttributeValueMemberN).Value; n != "1800000001" {
		t.Fatalf("ttl = %s, want 1800000001 (seconds, rounded up)", n)
	}
	if _, ok := toItem(narvik.Record{ID: "a", UserID: "b"})[DataAttribute]; ok {
		t.Fatal("empty Data stored as an attribute; want it absent")
	}
}

// TestFromItemFailsClosed: an item that is not what the store wrote is an
// error wrapping narvik.ErrBadRecord, never a half-filled record.
func TestFromItemFailsClosed(t *testing.T) {
	good := toItem(narvik.Record{ID: "a", UserID: "b", ExpiresAt: time.Now(), CreatedAt: time.Now(), Data: []byte("x")})
	breakers := map[string]func(map[string]types.AttributeValue){
		"no id":          func(m map[string]types.AttributeValue) { delete(m, IDAttribute) },
		"no userId":      func(m map[string]types.AttributeValue) { delete(m, UserIDAttribute) },
		"no expiresAt":   func(m map[string]types.AttributeValue) { delete(m, ExpiresAtAttribute) },
		"expiresAt as S": func(m map[string]types.AttributeValue) { m[ExpiresAtAttribute] = str("1") },
		"createdAt text": func(m map[string]types.AttributeValue) {
			m[CreatedAtAttribute] = &types.AttributeValueMemberN{Value: "1.5"}
		},
		"data as S": func(m map[string]types.AttributeValue) { m[DataAttribute] = str("x") },
	}
	for name, breakIt := range breakers {
		item := make(map[string]types.AttributeValue, len(good))
		for k, v := range good {
			item[k] = v
		}
		breakIt(item)
		if r, err := fromItem(item); !errors.Is(err, narvik.ErrBadRecord) || r.ID != "" {
			t.Errorf("%s: fromItem = %+v, %v; want an empty record and ErrBadRecord", name, r, err)
		}
	}
}

func TestValidKey(t *testing.T) {
	for k, want := range map[string]bool{
		"":                          false,
		"a":                         true,
		"\x00":                      true,
		"\xff\xfe":                  false, // invalid UTF-8 would be rewritten on the wire
		strings.Repeat("é", 1024):   true,  // 2048 bytes
		strings.Repeat("k", 2049):   false,
		strings.Repeat("{x}:*/", 9): true,
	} {
		if validKey(k) != want {
			t.Errorf("validKey(%.20q, %d bytes) = %v, want %v", k, len(k), !want, want)
		}
	}
}
