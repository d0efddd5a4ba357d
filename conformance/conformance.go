// Package conformance is the shared test suite for narvik.SessionStore
// drivers. Every driver in this repository runs it, and so can yours:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(t *testing.T) narvik.SessionStore {
//			return mystore.New(newEmptyNamespace(t))
//		})
//	}
//
// newStore is called once per subtest, in the subtest, and must return an
// empty store of its own (a fresh key prefix, collection or table), cleaned
// up with t.Cleanup. Each check is a named subtest, so `go test -run
// 'Conformance/Update/AfterDelete'` reruns one, and each failure says what
// the contract asks.
//
// The suite checks the store contract documented on narvik.SessionStore
// (records that expired but are still stored must be invisible, no
// resurrection by UpdateSessionExpiry, per-user work with 1,000 sessions,
// exact DeleteAllExpiredSessions counts unless the store implements
// narvik.NativeExpiry, unaliased data, odd keys, cancelled contexts,
// concurrent use) and then drives narvik.New over the store (creation,
// validation, extension, invalidation, 1,000 concurrent validations, and
// invalidation racing extension).
package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// Run runs the whole suite against the store newStore returns.
func Run(t *testing.T, newStore func(t *testing.T) narvik.SessionStore) {
	t.Helper()
	if newStore == nil {
		t.Fatal("conformance.Run: newStore is nil")
	}
	groups := []struct {
		name  string
		tests []check
	}{
		{"Record", recordChecks},
		{"Fetch", fetchChecks},
		{"Save", saveChecks},
		{"Update", updateChecks},
		{"Delete", deleteChecks},
		{"User", userChecks},
		{"Expired", expiredChecks},
		{"Aliasing", aliasingChecks},
		{"Keys", keyChecks},
		{"Context", contextChecks},
		{"Concurrency", concurrencyChecks},
		{"Core", coreChecks},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.tests {
				t.Run(c.name, func(t *testing.T) {
					s := newStore(t)
					if s == nil {
						t.Fatal("newStore returned nil")
					}
					c.run(t, s)
				})
			}
		})
	}
}

// check is one named subtest of the suite.
type check struct {
	name string
	run  func(t *testing.T, s narvik.SessionStore)
}

// nativeExpiry reports whether s declares that its server expires records by
// itself, which allows DeleteAllExpiredSessions to return less than it finds.
func nativeExpiry(s narvik.SessionStore) bool {
	ne, ok := s.(narvik.NativeExpiry)
	return ok && ne.ExpiresNatively()
}

// ctx returns a context bounded so that a hung store fails the test instead
// of hanging it.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// newID returns a random ID shaped like a real session ID (64 hex digits).
func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// now returns the current time in whole milliseconds, as the core gives it.
func now() time.Time { return time.Now().Truncate(time.Millisecond) }

// newRecord returns a live record (one hour left) of userID with random data.
func newRecord(userID string) narvik.Record {
	data := make([]byte, 24)
	_, _ = rand.Read(data)
	n := now()
	return narvik.Record{
		ID:        newID(),
		UserID:    userID,
		ExpiresAt: n.Add(time.Hour),
		CreatedAt: n,
		Data:      data,
	}
}

// expiredRecord returns a record of userID that expired a minute ago.
func expiredRecord(userID string) narvik.Record {
	r := newRecord(userID)
	r.CreatedAt = r.CreatedAt.Add(-2 * time.Hour)
	r.ExpiresAt = r.CreatedAt.Add(time.Hour + time.Minute*59)
	return r
}

func save(t *testing.T, s narvik.SessionStore, r narvik.Record) {
	t.Helper()
	if err := s.SaveSession(ctx(t), r); err != nil {
		t.Fatalf("SaveSession(%s): %v", short(r.ID), err)
	}
}

// fetch fetches id and fails the test unless it is found.
func fetch(t *testing.T, s narvik.SessionStore, id string) narvik.Record {
	t.Helper()
	r, err := s.FetchSession(ctx(t), id)
	if err != nil {
		t.Fatalf("FetchSession(%s) of a live record: %v", short(id), err)
	}
	return r
}

// mustBeGone fails the test unless FetchSession(id) gives ErrSessionNotFound.
func mustBeGone(t *testing.T, s narvik.SessionStore, id, why string) {
	t.Helper()
	r, err := s.FetchSession(ctx(t), id)
	if err == nil {
		t.Fatalf("FetchSession(%s) returned a record (expires %v), want narvik.ErrSessionNotFound: %s", short(id), r.ExpiresAt, why)
	}
	if !isNotFound(err) {
		t.Fatalf("FetchSession(%s) = %v, want an error that errors.Is narvik.ErrSessionNotFound: %s", short(id), err, why)
	}
}

// diff describes how got differs from want, or returns "".
func diff(got, want narvik.Record) string {
	var out string
	if got.ID != want.ID {
		out += fmt.Sprintf("\n  ID = %q, want %q", got.ID, want.ID)
	}
	if got.UserID != want.UserID {
		out += fmt.Sprintf("\n  UserID = %q, want %q", got.UserID, want.UserID)
	}
	if !got.ExpiresAt.Equal(want.ExpiresAt) {
		out += fmt.Sprintf("\n  ExpiresAt = %v, want %v (keep at least millisecond precision)", got.ExpiresAt, want.ExpiresAt)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		out += fmt.Sprintf("\n  CreatedAt = %v, want %v (keep at least millisecond precision)", got.CreatedAt, want.CreatedAt)
	}
	if !bytes.Equal(got.Data, want.Data) {
		out += fmt.Sprintf("\n  Data = %d bytes %.32x, want %d bytes %.32x", len(got.Data), got.Data, len(want.Data), want.Data)
	}
	return out
}

// short abbreviates long IDs in messages.
func short(id string) string {
	if len(id) > 24 {
		return fmt.Sprintf("%q...(%d bytes)", id[:16], len(id))
	}
	return fmt.Sprintf("%q", id)
}
