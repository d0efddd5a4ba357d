// Package conformance is the shared test suite for narvik.SessionStore
// drivers. Every driver in this repository runs it, and so can yours, in a
// _test.go file of your driver's package:
//
//	func TestConformance(t *testing.T) {
//		conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
//			return mystore.New(newEmptyNamespace(tb))
//		})
//	}
//
// The same NewStore function feeds Benchmark and BenchmarkScale. It is called
// once per subtest, in the subtest, and must return an empty store of its
// own (a fresh key prefix, collection or table), cleaned up with
// tb.Cleanup. Each check is a named subtest, so `go test -run
// 'Conformance/Update/AfterDelete'` reruns one, and each failure says what
// the contract asks.
//
// The suite checks the store contract documented on narvik.SessionStore:
// records that expired but are still stored must be invisible, no
// resurrection by UpdateSessionExpiry, per-user work with 1,000 sessions,
// exact DeleteAllExpiredSessions counts (unless declared approximate),
// Data never modified, odd keys, user and session IDs that are exactly
// themselves (no folding of case, accents, normalisation or spaces, typed
// refusals where a store cannot hold an ID), cancelled contexts, concurrent
// use and concurrent sweeps. Then it drives narvik.New over the store
// (creation, validation, extension, invalidation, 1,000 concurrent
// validations, and invalidation racing extension). Stores that implement
// narvik.Enumerator also get the Walk group.
//
// What the suite cannot find out by itself, a driver declares with Options
// (see ApproximateExpiredCount); the suite checks that the declaration
// agrees with the store.
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

// NewStore returns an empty store of its own for one test or benchmark,
// cleaned up with tb.Cleanup. Run, Benchmark and BenchmarkScale all take it,
// so a driver writes it once.
type NewStore func(tb testing.TB) narvik.SessionStore

// Option declares to the suite something about the store that it cannot
// find out by itself.
type Option func(*declared)

// declared is what a driver declared to the suite.
type declared struct {
	approximateExpiredCount bool
}

// ApproximateExpiredCount declares that the store's server deletes expired
// records by itself (Redis key expiry, a MongoDB TTL index, DynamoDB TTL),
// so that DeleteAllExpiredSessions may count fewer records than expired,
// down to 0. The store must then also say so to its users by implementing
// narvik.NativeExpiry and reporting true; without this declaration the
// suite wants exact counts, and a store reporting native expiry fails.
func ApproximateExpiredCount() Option {
	return func(d *declared) { d.approximateExpiredCount = true }
}

// Run runs the whole suite against the stores newStore returns.
func Run(t *testing.T, newStore NewStore, opts ...Option) {
	t.Helper()
	if newStore == nil {
		t.Fatal("conformance.Run: newStore is nil")
	}
	var d declared
	for _, o := range opts {
		if o != nil {
			o(&d)
		}
	}
	// One store up front, to read what it implements: the optional groups
	// run only for stores that have the capability, so a store without one
	// shows no skipped (or vacuously passing) subtests.
	probe := newStore(t)
	if probe == nil {
		t.Fatal("newStore returned nil")
	}
	t.Run("Declared", func(t *testing.T) { checkDeclared(t, probe, d) })
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
		{"Expired", expiredChecks(d)},
		{"Data", dataChecks},
		{"Keys", keyChecks},
		{"Identity", identityChecks},
		{"Context", contextChecks},
		{"Concurrency", concurrencyChecks(d)},
		{"Core", coreChecks},
	}
	if _, ok := probe.(narvik.Enumerator); ok {
		groups = append(groups, struct {
			name  string
			tests []check
		}{"Walk", walkChecks})
	} else {
		t.Logf("%T does not implement narvik.Enumerator: the Walk group does not apply", probe)
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

// nativeExpiry reports whether s tells its users that its server expires
// records by itself (narvik.NativeExpiry).
func nativeExpiry(s narvik.SessionStore) bool {
	ne, ok := s.(narvik.NativeExpiry)
	return ok && ne.ExpiresNatively()
}

// checkDeclared checks that what the driver declared to the suite agrees
// with what the store tells its users.
func checkDeclared(t *testing.T, s narvik.SessionStore, d declared) {
	switch native := nativeExpiry(s); {
	case native && !d.approximateExpiredCount:
		t.Fatalf("the store reports narvik.NativeExpiry (its server removes expired records), but the driver's test did not declare conformance.ApproximateExpiredCount(): declare it, so the suite accepts counts below the number expired")
	case !native && d.approximateExpiredCount:
		t.Fatalf("the driver's test declared conformance.ApproximateExpiredCount(), but the store does not report narvik.NativeExpiry: a store that counts approximately must tell its users so (ExpiresNatively() == true)")
	}
}

// ctx returns a context bounded so that a hung store fails the test instead
// of hanging it.
func ctx(t testing.TB) context.Context {
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

func save(t testing.TB, s narvik.SessionStore, r narvik.Record) {
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
