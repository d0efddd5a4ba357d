package mongostore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
)

// TestNewRefusesBadInput: a nil collection wraps narvik.ErrNilClient and an
// unusable option narvik.ErrInvalidOption; neither needs a server.
func TestNewRefusesBadInput(t *testing.T) {
	if s, err := mongostore.New(nil); !errors.Is(err, narvik.ErrNilClient) || s != nil {
		t.Errorf("New(nil) = %v, %v; want nil and an error wrapping narvik.ErrNilClient", s, err)
	}
	// A collection handle does no I/O until used, so no server is needed.
	var coll = newOfflineCollection(t)
	for _, n := range []int{0, -1, 100_001} {
		s, err := mongostore.New(coll, mongostore.WithWalkPageSize(n))
		if !errors.Is(err, narvik.ErrInvalidOption) || s != nil {
			t.Errorf("New(WithWalkPageSize(%d)) = %v, %v; want nil and an error wrapping narvik.ErrInvalidOption", n, s, err)
		}
	}
	for _, n := range []int{1, 100_000} {
		if _, err := mongostore.New(coll, mongostore.WithWalkPageSize(n)); err != nil {
			t.Errorf("New(WithWalkPageSize(%d)) = %v", n, err)
		}
	}
}

// TestCorruptDocuments plants documents the store did not write (a field
// of another BSON type, no user, no expiry) and checks that every read that
// meets one fails with an error wrapping narvik.ErrBadRecord and no record,
// and that deleting them works.
func TestCorruptDocuments(t *testing.T) {
	client := connect(t)
	s, coll := newStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	later := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	bad := map[string]bson.D{
		"userId is a number": {{Key: "_id", Value: "bad-user"}, {Key: "userId", Value: 42}, {Key: "expiresAt", Value: later}, {Key: "createdAt", Value: later}},
		"expiresAt is text":  {{Key: "_id", Value: "bad-expiry"}, {Key: "userId", Value: "u"}, {Key: "expiresAt", Value: "tomorrow"}, {Key: "createdAt", Value: later}},
		"data is text":       {{Key: "_id", Value: "bad-data"}, {Key: "userId", Value: "u"}, {Key: "expiresAt", Value: later}, {Key: "createdAt", Value: later}, {Key: "data", Value: "not binary"}},
		"no userId":          {{Key: "_id", Value: "no-user"}, {Key: "expiresAt", Value: later}, {Key: "createdAt", Value: later}},
		"no expiresAt":       {{Key: "_id", Value: "no-expiry"}, {Key: "userId", Value: "u"}, {Key: "createdAt", Value: later}},
	}
	for what, doc := range bad {
		if _, err := coll.InsertOne(ctx, doc); err != nil {
			t.Fatalf("insert (%s): %v", what, err)
		}
		id := doc[0].Value.(string)
		r, err := s.FetchSession(ctx, id)
		if !errors.Is(err, narvik.ErrBadRecord) || r.ID != "" {
			t.Errorf("FetchSession of a document whose %s = %+v, %v; want no record and an error wrapping narvik.ErrBadRecord", what, r, err)
		}
	}
	// "data is text" belongs to user u and is live: listing u meets it.
	if got, err := s.FetchSessionsForUser(ctx, "u"); !errors.Is(err, narvik.ErrBadRecord) || got != nil {
		t.Errorf("FetchSessionsForUser over a corrupt document = %d records, %v; want none and narvik.ErrBadRecord", len(got), err)
	}
	var walkErr error
	for r, err := range s.AllSessions(ctx) {
		if err == nil {
			t.Errorf("AllSessions yielded %q from a collection of corrupt documents", r.ID)
		}
		walkErr = err
	}
	if !errors.Is(walkErr, narvik.ErrBadRecord) {
		t.Errorf("AllSessions over corrupt documents ended with %v, want narvik.ErrBadRecord", walkErr)
	}
	for _, doc := range bad {
		id := doc[0].Value.(string)
		if err := s.DeleteSession(ctx, id); err != nil {
			t.Fatalf("DeleteSession(%s): %v", id, err)
		}
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 0 {
		t.Fatalf("%d documents left after deleting the corrupt ones (%v)", n, err)
	}
}

// TestInvalidUTF8IDs reproduces issue 12 §3: BSON strings are UTF-8, and the
// wire stored "\xff", "\xfe" and "\xff\xfe" alike as "\uFFFD", so those
// users were one. SaveSession now refuses such IDs with
// narvik.ErrInvalidUserID (or ErrInvalidSessionID) and stores nothing;
// reads, deletes and listings of them find nothing without a command sent.
func TestInvalidUTF8IDs(t *testing.T) {
	var cmds commands
	client := connectWith(t, cmds.monitor())
	s, coll := newStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := time.Now().Truncate(time.Millisecond)
	replacement := narvik.Record{ID: "fffd", UserID: "\uFFFD", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	if err := s.SaveSession(ctx, replacement); err != nil {
		t.Fatal(err)
	}
	cmds.take()

	for _, id := range []string{"\xff", "\xfe", "\xff\xfe", "a\xffb"} {
		r := narvik.Record{ID: "s" + id, UserID: id, ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if err := s.SaveSession(ctx, narvik.Record{ID: "ok", UserID: id, ExpiresAt: r.ExpiresAt}); !errors.Is(err, narvik.ErrInvalidUserID) {
			t.Errorf("SaveSession for user %q = %v; want an error wrapping narvik.ErrInvalidUserID", id, err)
		}
		if err := s.SaveSession(ctx, narvik.Record{ID: r.ID, UserID: "u", ExpiresAt: r.ExpiresAt}); !errors.Is(err, narvik.ErrInvalidSessionID) {
			t.Errorf("SaveSession of session %q = %v; want an error wrapping narvik.ErrInvalidSessionID", r.ID, err)
		}
		if list, err := s.FetchSessionsForUser(ctx, id); err != nil || list == nil || len(list) != 0 {
			t.Errorf("FetchSessionsForUser(%q) = %v, %v; want an empty slice (not user %q's session)", id, list, err, "\uFFFD")
		}
		if err := s.DeleteSessionsForUser(ctx, id); err != nil {
			t.Errorf("DeleteSessionsForUser(%q) = %v", id, err)
		}
		if _, err := s.FetchSession(ctx, r.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("FetchSession(%q) = %v; want narvik.ErrSessionNotFound", r.ID, err)
		}
		if err := s.UpdateSessionExpiry(ctx, r.ID, now.Add(2*time.Hour)); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("UpdateSessionExpiry(%q) = %v; want narvik.ErrSessionNotFound", r.ID, err)
		}
		if err := s.DeleteSession(ctx, r.ID); err != nil {
			t.Errorf("DeleteSession(%q) = %v", r.ID, err)
		}
	}
	if sent := cmds.take(); len(sent) != 0 {
		t.Errorf("calls with invalid UTF-8 IDs sent %v to the server; want nothing (no such ID can be stored)", keys(sent))
	}
	if n, err := coll.CountDocuments(ctx, bson.D{}); err != nil || n != 1 {
		t.Fatalf("%d documents (%v); want only user %q's, untouched", n, err, "\uFFFD")
	}
}
