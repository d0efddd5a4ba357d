package redisstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// TestDecodeAllocations: decoding a stored value allocates the user ID
// string and nothing else (Data and the owner are slices of the value),
// unless the user ID is too long for the decoder's stack buffer. An
// allocation guard that does not depend on wall time, as testing.AllocsPerRun
// counts the same on a busy machine as on an idle one.
func TestDecodeAllocations(t *testing.T) {
	now := time.Now()
	for _, c := range []struct {
		user  string
		limit float64
	}{
		{"3f0c1a52-8a4e-4c3b-9d0e-6a1f7b2c9e44", 1}, // a UUID
		{strings.Repeat("u", 64), 1},                // the size of the stack buffer
		{strings.Repeat("u", 65), 2},                // beyond it, a buffer on the heap
	} {
		v := encodeRecord(narvik.Record{UserID: c.user, ExpiresAt: now, CreatedAt: now, Data: []byte("data")}, encodeUser(c.user))
		got := testing.AllocsPerRun(200, func() {
			if r, _, err := decodeRecord("id", v); err != nil || r.UserID != c.user {
				t.Fatalf("decodeRecord = %+v, %v", r, err)
			}
		})
		if got > c.limit {
			t.Errorf("user ID of %d bytes: %v allocations per decode, limit %v", len(c.user), got, c.limit)
		}
	}
}

// TestFetchSessionAllocations: FetchSession on a *redis.Client allocates no
// more than a raw GET of the same value on the same client, its reply read
// as bytes and its key built once: the GET's arguments cost one allocation
// (sessionGet) where the client's Get costs two and the key a third, which
// leaves one for the user ID string. Through the core, a validation with
// data that encodes itself stays within the target, the raw GET + 4
// allocations (the session ID, the Session and the data's two strings).
// The two are counted the same way, so the client's own I/O cancels out.
func TestFetchSessionAllocations(t *testing.T) {
	client := standaloneClient(t)
	s := newTestStore(t, client)
	ctx := context.Background()
	r := narvik.Record{ID: newID(), UserID: "3f0c1a52-8a4e-4c3b-9d0e-6a1f7b2c9e44", ExpiresAt: time.Now().Add(time.Hour), CreatedAt: time.Now(), Data: []byte(strings.Repeat("d", 215))}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	key := s.sessionKey(r.ID)
	raw := testing.AllocsPerRun(200, func() {
		if _, err := client.Get(ctx, key).Bytes(); err != nil {
			t.Fatal(err)
		}
	})
	fetch := testing.AllocsPerRun(200, func() {
		if got, err := s.FetchSession(ctx, r.ID); err != nil || got.UserID != r.UserID {
			t.Fatalf("FetchSession = %+v, %v", got, err)
		}
	})
	if fetch > raw {
		t.Errorf("FetchSession: %v allocations, a raw GET %v: want no more", fetch, raw)
	}
	n, err := narvik.New[conformance.BenchBinaryData](s)
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.CreateSession(ctx, r.UserID, conformance.BenchBinaryData(conformance.BenchSample))
	if err != nil {
		t.Fatal(err)
	}
	validate := testing.AllocsPerRun(200, func() {
		if s, err := n.ValidateSession(ctx, res.Token); s == nil || err != nil {
			t.Fatalf("ValidateSession = %v, %v", s, err)
		}
	})
	if validate > raw+4 {
		t.Errorf("ValidateSession: %v allocations, a raw GET %v: want at most 4 more", validate, raw)
	}
}
