package boltstore

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// TestExpiryTimeOrder: byte order of encoded times is numeric order,
// negative times included, so a cursor walk from the start visits expiry
// times in order.
func TestExpiryTimeOrder(t *testing.T) {
	times := []int64{math.MinInt64, -62135596800000, -1 << 40, -2, -1, 0, 1, 2, 1 << 40, time.Now().UnixMilli(), math.MaxInt64}
	for i := 1; i < len(times); i++ {
		a, b := expiryTime(times[i-1]), expiryTime(times[i])
		if bytes.Compare(a[:], b[:]) >= 0 {
			t.Fatalf("expiryTime(%d) = %x sorts at or after expiryTime(%d) = %x", times[i-1], a, times[i], b)
		}
	}
	for _, ms := range times {
		got, id, ok := parseExpiryKey(expiryKey(ms, []byte("id")))
		if !ok || got != ms || string(id) != "id" {
			t.Fatalf("parseExpiryKey(expiryKey(%d)) = %d, %q, %v", ms, got, id, ok)
		}
	}
}

// TestUserPrefixesNeverNest: for user IDs that are prefixes of each other,
// the key prefix of one is never a prefix of the other's keys.
func TestUserPrefixesNeverNest(t *testing.T) {
	users := []string{"", "a", "a\x00", "\x01a", "ab", string(make([]byte, 127)), string(make([]byte, 128)), string(make([]byte, 300))}
	for _, u := range users {
		for _, w := range users {
			if u != w && bytes.HasPrefix(userKey([]byte(w), []byte("session")), userPrefix([]byte(u))) {
				t.Fatalf("the users-index keys of %q start with the prefix of %q", w, u)
			}
		}
	}
}

func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("user-1", []byte(`{"ip":"203.0.113.7"}`), int64(1_700_000_000_000), int64(1_699_999_000_000))
	f.Add("", []byte(nil), int64(-1), int64(math.MinInt64/1_000_000))
	f.Add("a\x00b", []byte{0, 1, 0xff}, int64(math.MaxInt64/1_000_000), int64(0))
	f.Fuzz(func(t *testing.T, user string, data []byte, expMs, createdMs int64) {
		r := narvik.Record{ID: "id", UserID: user, ExpiresAt: time.UnixMilli(expMs), CreatedAt: time.UnixMilli(createdMs), Data: data}
		v := encodeRecord(r)
		h, err := decodeHeader(v)
		if err != nil {
			t.Fatalf("decodeHeader(encodeRecord(r)) = %v", err)
		}
		got := h.record("id")
		if got.UserID != user || got.ExpiresAt.UnixMilli() != expMs || got.CreatedAt.UnixMilli() != createdMs || !bytes.Equal(got.Data, data) {
			t.Fatalf("round trip: got %+v, want %+v", got, r)
		}
		if len(got.Data) > 0 && &got.Data[0] == &v[len(v)-len(data)] {
			t.Fatal("decoded Data aliases the stored value")
		}
	})
}

// FuzzDecodeHeader: any bytes either decode or give ErrCorrupt, never a
// panic, and what decodes encodes back to the same fields.
func FuzzDecodeHeader(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add([]byte{2, 0})
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add(encodeRecord(narvik.Record{UserID: "u", ExpiresAt: time.UnixMilli(5), CreatedAt: time.UnixMilli(3), Data: []byte("d")}))
	f.Fuzz(func(t *testing.T, v []byte) {
		h, err := decodeHeader(v)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decodeHeader error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		r := h.record("id")
		h2, err := decodeHeader(encodeRecord(r))
		if err != nil || !bytes.Equal(h2.userID, h.userID) || h2.expiresMs != h.expiresMs || h2.createdMs != h.createdMs || !slices.Equal(h2.data, h.data) {
			t.Fatalf("re-encoding %x changed it: %+v, %v", v, h2, err)
		}
	})
}
