package mongostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/narvik-go/narvik"
)

// TestDocumentLayout reads a saved session back as a raw document and checks
// the documented layout: field names and BSON types (expiresAt must be a BSON
// date, the only type a TTL index acts on).
func TestDocumentLayout(t *testing.T) {
	client := connect(t)
	s, coll := newStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	now := time.Now().Truncate(time.Millisecond)
	r := narvik.Record{
		ID:        "layout-id",
		UserID:    "layout-user",
		ExpiresAt: now.Add(time.Hour),
		CreatedAt: now,
		Data:      []byte{0, 1, 2, 0xff},
	}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatalf("SaveSession: %v", err)
	}
	raw, err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: r.ID}}).Raw()
	if err != nil {
		t.Fatalf("FindOne: %v", err)
	}
	elems, err := raw.Elements()
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]bson.Type{
		"_id":       bson.TypeString,
		"userId":    bson.TypeString,
		"expiresAt": bson.TypeDateTime,
		"createdAt": bson.TypeDateTime,
		"data":      bson.TypeBinary,
	}
	if len(elems) != len(wantTypes) {
		t.Errorf("document has %d fields, want %d: %s", len(elems), len(wantTypes), raw)
	}
	for _, e := range elems {
		want, ok := wantTypes[e.Key()]
		if !ok {
			t.Errorf("unexpected field %q", e.Key())
			continue
		}
		if got := e.Value().Type; got != want {
			t.Errorf("field %q has BSON type %v, want %v", e.Key(), got, want)
		}
	}
	if got := raw.Lookup("_id").StringValue(); got != r.ID {
		t.Errorf("_id = %q, want %q", got, r.ID)
	}
	if got := raw.Lookup("userId").StringValue(); got != r.UserID {
		t.Errorf("userId = %q, want %q", got, r.UserID)
	}
	if got := raw.Lookup("expiresAt").Time(); !got.Equal(r.ExpiresAt) {
		t.Errorf("expiresAt = %v, want %v", got, r.ExpiresAt)
	}
	if got := raw.Lookup("createdAt").Time(); !got.Equal(r.CreatedAt) {
		t.Errorf("createdAt = %v, want %v", got, r.CreatedAt)
	}
	if _, data := raw.Lookup("data").Binary(); string(data) != string(r.Data) {
		t.Errorf("data = %x, want %x", data, r.Data)
	}
}

// TestExpiredDocumentsLeftByTheServer plants documents that expired but are
// still stored, the normal state between two passes of the TTL monitor (60 s
// or more apart) and the permanent one on servers without TTL indexes. They
// are written straight into the collection, as if by an earlier run, so the
// test does not depend on the clock passing an instant.
func TestExpiredDocumentsLeftByTheServer(t *testing.T) {
	client := connect(t)
	info := askServer(t, client)
	s, coll := newStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	now := time.Now().Truncate(time.Millisecond)
	docs := []any{
		bson.D{{Key: "_id", Value: "expired-1"}, {Key: "userId", Value: "u"}, {Key: "expiresAt", Value: now.Add(-time.Hour)}, {Key: "createdAt", Value: now.Add(-2 * time.Hour)}, {Key: "data", Value: []byte("x")}},
		bson.D{{Key: "_id", Value: "expired-2"}, {Key: "userId", Value: "u"}, {Key: "expiresAt", Value: now.Add(-time.Millisecond)}, {Key: "createdAt", Value: now.Add(-time.Hour)}, {Key: "data", Value: []byte("y")}},
		bson.D{{Key: "_id", Value: "live"}, {Key: "userId", Value: "u"}, {Key: "expiresAt", Value: now.Add(time.Hour)}, {Key: "createdAt", Value: now}, {Key: "data", Value: []byte("z")}},
	}
	if _, err := coll.InsertMany(ctx, docs); err != nil {
		t.Fatalf("InsertMany: %v", err)
	}

	for _, id := range []string{"expired-1", "expired-2"} {
		if _, err := s.FetchSession(ctx, id); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("FetchSession(%s) error = %v, want ErrSessionNotFound", id, err)
		}
		err := s.UpdateSessionExpiry(ctx, id, now.Add(24*time.Hour))
		if !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("UpdateSessionExpiry(%s) error = %v, want ErrSessionNotFound", id, err)
		}
	}
	// The refused updates must not have moved the expiry (no resurrection).
	n, err := coll.CountDocuments(ctx, bson.D{{Key: "expiresAt", Value: bson.D{{Key: "$gt", Value: now}}}})
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d documents expire after now, want 1: an update revived an expired session", n)
	}

	got, err := s.FetchSessionsForUser(ctx, "u")
	if err != nil {
		t.Fatalf("FetchSessionsForUser: %v", err)
	}
	if len(got) != 1 || got[0].ID != "live" {
		t.Errorf("FetchSessionsForUser = %v, want only the live session", got)
	}

	deleted, err := s.DeleteAllExpiredSessions(ctx)
	if err != nil {
		t.Fatalf("DeleteAllExpiredSessions: %v", err)
	}
	// A server with a TTL index may have removed some of them first (its
	// monitor runs every 60 s); one without must leave all of them to us.
	if native := s.ExpiresNatively(); native == info.FerretDB {
		t.Errorf("ExpiresNatively() = %v on server %s (FerretDB: %v); want true exactly when the server accepted the TTL index", native, info.Version, info.FerretDB)
	}
	if info.FerretDB && deleted != 2 {
		t.Errorf("DeleteAllExpiredSessions = %d, want 2", deleted)
	}
	if deleted < 0 || deleted > 2 {
		t.Errorf("DeleteAllExpiredSessions = %d, want 0..2", deleted)
	}
	if left, err := coll.CountDocuments(ctx, bson.D{}); err != nil || left != 1 {
		t.Errorf("%d documents left (err %v), want the live one", left, err)
	}
}
