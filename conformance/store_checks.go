package conformance

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

func isNotFound(err error) bool { return errors.Is(err, narvik.ErrSessionNotFound) }

var recordChecks = []check{
	{"RoundTrip", func(t *testing.T, s narvik.SessionStore) {
		want := newRecord("user-1")
		save(t, s, want)
		if d := diff(fetch(t, s, want.ID), want); d != "" {
			t.Fatalf("FetchSession returned a record that differs from the one saved:%s", d)
		}
	}},
	{"EmptyData", func(t *testing.T, s narvik.SessionStore) {
		for _, data := range [][]byte{nil, {}} {
			r := newRecord("user-1")
			r.Data = data
			save(t, s, r)
			if got := fetch(t, s, r.ID); len(got.Data) != 0 {
				t.Fatalf("saved %#v as Data, got %d bytes back, want none", data, len(got.Data))
			}
		}
	}},
	{"BinaryData", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		r.Data = make([]byte, 0, 512)
		for i := range 256 {
			r.Data = append(r.Data, byte(i), byte(255-i)) // every byte value, invalid UTF-8 included
		}
		save(t, s, r)
		if d := diff(fetch(t, s, r.ID), r); d != "" {
			t.Fatalf("binary Data did not survive the round trip (store Data as bytes, not text):%s", d)
		}
	}},
	{"LargeData", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		r.Data = bytes.Repeat([]byte{0, 1, 2, 0xff, 'a'}, 64<<10/5+1)[:64<<10]
		save(t, s, r)
		if d := diff(fetch(t, s, r.ID), r); d != "" {
			t.Fatalf("64 KiB of Data did not survive the round trip:%s", d)
		}
	}},
}

var fetchChecks = []check{
	{"Missing", func(t *testing.T, s narvik.SessionStore) {
		mustBeGone(t, s, newID(), "nothing was saved under this ID")
	}},
	{"ExpiredButPresent", func(t *testing.T, s narvik.SessionStore) {
		r := expiredRecord("user-1")
		if err := s.SaveSession(ctx(t), r); err != nil {
			t.Fatalf("SaveSession of an already expired record = %v, want nil: such records are accepted and simply never visible", err)
		}
		mustBeGone(t, s, r.ID, "its ExpiresAt has passed; expired records are invisible even before they are deleted (the normal state on DynamoDB and MongoDB)")
		list, err := s.FetchSessionsForUser(ctx(t), r.UserID)
		if err != nil {
			t.Fatalf("FetchSessionsForUser: %v", err)
		}
		if len(list) != 0 {
			t.Fatalf("FetchSessionsForUser listed %d records, want 0: the user's only record is expired", len(list))
		}
	}},
	{"ExpiresWhileStored", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		r.ExpiresAt = now().Add(300 * time.Millisecond)
		save(t, s, r)
		if _, err := s.FetchSession(ctx(t), r.ID); err != nil && time.Now().Before(r.ExpiresAt.Add(-50*time.Millisecond)) {
			t.Fatalf("FetchSession before expiry: %v", err)
		}
		// Wait for a known instant: the expiry, plus a margin for servers that
		// round to their own clock tick. Nothing else is waited for.
		time.Sleep(time.Until(r.ExpiresAt) + 20*time.Millisecond)
		mustBeGone(t, s, r.ID, "its ExpiresAt passed while it was stored")
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, now().Add(time.Hour)); !isNotFound(err) {
			t.Fatalf("UpdateSessionExpiry of a record that expired while stored = %v, want ErrSessionNotFound", err)
		}
		mustBeGone(t, s, r.ID, "an expiry update must not revive an expired record")
	}},
}

var saveChecks = []check{
	{"Duplicate", func(t *testing.T, s narvik.SessionStore) {
		orig := newRecord("user-1")
		save(t, s, orig)
		dup := newRecord("user-2")
		dup.ID = orig.ID
		err := s.SaveSession(ctx(t), dup)
		if !errors.Is(err, narvik.ErrDuplicateSession) {
			t.Fatalf("second SaveSession with the same ID = %v, want an error that errors.Is narvik.ErrDuplicateSession (SaveSession is put-if-absent, never an upsert)", err)
		}
		if d := diff(fetch(t, s, orig.ID), orig); d != "" {
			t.Fatalf("a refused duplicate save changed the stored record:%s", d)
		}
		list, err := s.FetchSessionsForUser(ctx(t), "user-2")
		if err != nil {
			t.Fatalf("FetchSessionsForUser: %v", err)
		}
		if len(list) != 0 {
			t.Fatalf("a refused duplicate save left %d records in the other user's index", len(list))
		}
	}},
}

var updateChecks = []check{
	{"Persists", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		save(t, s, r)
		r.ExpiresAt = r.ExpiresAt.Add(36 * time.Hour)
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, r.ExpiresAt); err != nil {
			t.Fatalf("UpdateSessionExpiry of a live record: %v", err)
		}
		if d := diff(fetch(t, s, r.ID), r); d != "" {
			t.Fatalf("after UpdateSessionExpiry the record is not the saved one with the new expiry:%s", d)
		}
		list, err := s.FetchSessionsForUser(ctx(t), r.UserID)
		if err != nil || len(list) != 1 {
			t.Fatalf("FetchSessionsForUser = %d records, %v; want 1", len(list), err)
		}
		if d := diff(list[0], r); d != "" {
			t.Fatalf("FetchSessionsForUser does not show the updated expiry:%s", d)
		}
	}},
	{"Missing", func(t *testing.T, s narvik.SessionStore) {
		id := newID()
		if err := s.UpdateSessionExpiry(ctx(t), id, now().Add(time.Hour)); !isNotFound(err) {
			t.Fatalf("UpdateSessionExpiry of a missing ID = %v, want ErrSessionNotFound", err)
		}
		mustBeGone(t, s, id, "UpdateSessionExpiry must never create a record (no upsert)")
	}},
	{"AfterDelete", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		save(t, s, r)
		if err := s.DeleteSession(ctx(t), r.ID); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, now().Add(time.Hour)); !isNotFound(err) {
			t.Fatalf("UpdateSessionExpiry after DeleteSession = %v, want ErrSessionNotFound", err)
		}
		mustBeGone(t, s, r.ID, "an expiry update after a delete must not resurrect the session (a signed-out user would be signed in again)")
		assertUserHas(t, s, r.UserID)
	}},
	{"Expired", func(t *testing.T, s narvik.SessionStore) {
		r := expiredRecord("user-1")
		save(t, s, r)
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, now().Add(time.Hour)); !isNotFound(err) {
			t.Fatalf("UpdateSessionExpiry of an expired-but-present record = %v, want ErrSessionNotFound", err)
		}
		mustBeGone(t, s, r.ID, "an expiry update must not revive an expired record")
	}},
	{"ToThePast", func(t *testing.T, s narvik.SessionStore) {
		r := newRecord("user-1")
		save(t, s, r)
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, now().Add(-time.Minute)); err != nil {
			t.Fatalf("UpdateSessionExpiry of a live record to a past time: %v", err)
		}
		mustBeGone(t, s, r.ID, "its expiry was updated to a past time")
		assertUserHas(t, s, r.UserID)
	}},
}

var deleteChecks = []check{
	{"Idempotent", func(t *testing.T, s narvik.SessionStore) {
		if err := s.DeleteSession(ctx(t), newID()); err != nil {
			t.Fatalf("DeleteSession of a missing ID = %v, want nil (delete is idempotent)", err)
		}
		r := newRecord("user-1")
		save(t, s, r)
		for i := range 2 {
			if err := s.DeleteSession(ctx(t), r.ID); err != nil {
				t.Fatalf("DeleteSession #%d: %v", i+1, err)
			}
		}
		mustBeGone(t, s, r.ID, "it was deleted")
	}},
	{"OnlyThatRecord", func(t *testing.T, s narvik.SessionStore) {
		a, b := newRecord("user-1"), newRecord("user-1")
		save(t, s, a)
		save(t, s, b)
		if err := s.DeleteSession(ctx(t), a.ID); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		mustBeGone(t, s, a.ID, "it was deleted")
		fetch(t, s, b.ID)
		assertUserHas(t, s, "user-1", b)
	}},
	{"Expired", func(t *testing.T, s narvik.SessionStore) {
		r := expiredRecord("user-1")
		save(t, s, r)
		if err := s.DeleteSession(ctx(t), r.ID); err != nil {
			t.Fatalf("DeleteSession of an expired record: %v", err)
		}
		if n, err := s.DeleteAllExpiredSessions(ctx(t)); err != nil || n != 0 {
			t.Fatalf("DeleteAllExpiredSessions after the only expired record was deleted = %d, %v; want 0, nil", n, err)
		}
	}},
}

// manySessions is the per-user count the suite asks every store to handle.
const manySessions = 1000

var userChecks = []check{
	{"List", func(t *testing.T, s narvik.SessionStore) {
		var mine []narvik.Record
		for range 3 {
			r := newRecord("alice")
			save(t, s, r)
			mine = append(mine, r)
		}
		save(t, s, expiredRecord("alice"))
		save(t, s, newRecord("bob"))
		save(t, s, newRecord("alice2")) // a user ID that extends "alice"
		assertUserHas(t, s, "alice", mine...)
	}},
	{"Unknown", func(t *testing.T, s narvik.SessionStore) {
		save(t, s, newRecord("bob"))
		list, err := s.FetchSessionsForUser(ctx(t), "nobody")
		if err != nil {
			t.Fatalf("FetchSessionsForUser of an unknown user = %v, want no error", err)
		}
		if len(list) != 0 {
			t.Fatalf("FetchSessionsForUser of an unknown user listed %d records", len(list))
		}
		if err := s.DeleteSessionsForUser(ctx(t), "nobody"); err != nil {
			t.Fatalf("DeleteSessionsForUser of an unknown user = %v, want no error", err)
		}
		fetch(t, s, list0(t, s, "bob").ID)
	}},
	{"ListMany", func(t *testing.T, s narvik.SessionStore) {
		mine := saveMany(t, s, "many", manySessions)
		other := newRecord("other")
		save(t, s, other)
		assertUserHas(t, s, "many", mine...)
		assertUserHas(t, s, "other", other)
	}},
	{"DeleteMany", func(t *testing.T, s narvik.SessionStore) {
		mine := saveMany(t, s, "many", manySessions)
		mine = append(mine, expiredRecord("many"))
		save(t, s, mine[len(mine)-1])
		other := newRecord("other")
		save(t, s, other)
		if err := s.DeleteSessionsForUser(ctx(t), "many"); err != nil {
			t.Fatalf("DeleteSessionsForUser: %v", err)
		}
		assertUserHas(t, s, "many")
		for _, r := range []narvik.Record{mine[0], mine[len(mine)/2], mine[len(mine)-2]} {
			mustBeGone(t, s, r.ID, "DeleteSessionsForUser removed its user's sessions")
			if err := s.UpdateSessionExpiry(ctx(t), r.ID, now().Add(time.Hour)); !isNotFound(err) {
				t.Fatalf("UpdateSessionExpiry after DeleteSessionsForUser = %v, want ErrSessionNotFound", err)
			}
		}
		fetch(t, s, other.ID)
		assertUserHas(t, s, "other", other)
		if n, err := s.DeleteAllExpiredSessions(ctx(t)); err != nil || n != 0 {
			t.Fatalf("DeleteAllExpiredSessions after DeleteSessionsForUser removed the only expired record = %d, %v; want 0, nil (it must delete expired records too)", n, err)
		}
	}},
}

// saveMany saves n live records of userID from a few goroutines, as a busy
// store would see them, and returns them.
func saveMany(t *testing.T, s narvik.SessionStore, userID string, n int) []narvik.Record {
	t.Helper()
	records := make([]narvik.Record, n)
	for i := range records {
		records[i] = newRecord(userID)
	}
	testkit.SaveMany(t, s, 8, n, func(i int) narvik.Record { return records[i] })
	return records
}

// list0 returns the only record of userID.
func list0(t *testing.T, s narvik.SessionStore, userID string) narvik.Record {
	t.Helper()
	list, err := s.FetchSessionsForUser(ctx(t), userID)
	if err != nil || len(list) != 1 {
		t.Fatalf("FetchSessionsForUser(%s) = %d records, %v; want 1", short(userID), len(list), err)
	}
	return list[0]
}

// assertUserHas fails unless FetchSessionsForUser(userID) returns exactly want.
func assertUserHas(t *testing.T, s narvik.SessionStore, userID string, want ...narvik.Record) {
	t.Helper()
	got, err := s.FetchSessionsForUser(ctx(t), userID)
	if err != nil {
		t.Fatalf("FetchSessionsForUser(%s): %v", short(userID), err)
	}
	byID := make(map[string]narvik.Record, len(want))
	for _, r := range want {
		byID[r.ID] = r
	}
	seen := make(map[string]bool, len(got))
	for _, r := range got {
		w, ok := byID[r.ID]
		switch {
		case seen[r.ID]:
			t.Fatalf("FetchSessionsForUser(%s) listed %s twice", short(userID), short(r.ID))
		case !ok && r.UserID != userID:
			t.Fatalf("FetchSessionsForUser(%s) listed %s of user %s: records of other users must never be listed", short(userID), short(r.ID), short(r.UserID))
		case !ok:
			t.Fatalf("FetchSessionsForUser(%s) listed %s (expires %v), which is expired or deleted: only live records may be listed", short(userID), short(r.ID), r.ExpiresAt)
		}
		if d := diff(r, w); d != "" {
			t.Fatalf("FetchSessionsForUser(%s) listed a record that differs from the stored one:%s", short(userID), d)
		}
		seen[r.ID] = true
	}
	if len(seen) != len(want) {
		var missing []string
		for id := range byID {
			if !seen[id] {
				missing = append(missing, short(id))
			}
		}
		slices.Sort(missing)
		if len(missing) > 3 {
			missing = append(missing[:3], "...")
		}
		t.Fatalf("FetchSessionsForUser(%s) listed %d records, want %d; missing %s", short(userID), len(got), len(want), strings.Join(missing, ", "))
	}
}

func expiredChecks(d declared) []check {
	return []check{{"DeleteAllExpired", func(t *testing.T, s narvik.SessionStore) {
		var live, expired []narvik.Record
		for i := range 5 {
			r := newRecord([]string{"u1", "u2"}[i%2])
			save(t, s, r)
			live = append(live, r)
		}
		for i := range 7 {
			r := expiredRecord([]string{"u1", "u2"}[i%2])
			save(t, s, r)
			expired = append(expired, r)
		}
		n, err := s.DeleteAllExpiredSessions(ctx(t))
		if err != nil {
			t.Fatalf("DeleteAllExpiredSessions: %v", err)
		}
		if d.approximateExpiredCount {
			if n < 0 || n > len(expired) {
				t.Fatalf("DeleteAllExpiredSessions = %d; the count is declared approximate, so want 0..%d", n, len(expired))
			}
		} else if n != len(expired) {
			t.Fatalf("DeleteAllExpiredSessions = %d, want %d: it must return how many records this call removed; a store whose server expires records by itself declares conformance.ApproximateExpiredCount() and implements narvik.NativeExpiry", n, len(expired))
		}
		for _, r := range live {
			if d := diff(fetch(t, s, r.ID), r); d != "" {
				t.Fatalf("DeleteAllExpiredSessions changed a live record:%s", d)
			}
		}
		for _, r := range expired {
			mustBeGone(t, s, r.ID, "it is expired")
		}
		assertUserHas(t, s, "u1", live[0], live[2], live[4])
		assertUserHas(t, s, "u2", live[1], live[3])
		if n, err := s.DeleteAllExpiredSessions(ctx(t)); err != nil || n != 0 {
			t.Fatalf("second DeleteAllExpiredSessions = %d, %v; want 0, nil (the first removed them all)", n, err)
		}
	}},
		{"NothingExpired", func(t *testing.T, s narvik.SessionStore) {
			r := newRecord("u1")
			save(t, s, r)
			if n, err := s.DeleteAllExpiredSessions(ctx(t)); err != nil || n != 0 {
				t.Fatalf("DeleteAllExpiredSessions with nothing expired = %d, %v; want 0, nil", n, err)
			}
			fetch(t, s, r.ID)
		}},
	}
}

var dataChecks = []check{
	{"NotModified", func(t *testing.T, s narvik.SessionStore) {
		// Nobody modifies Data once it is handed over (narvik.SessionStore):
		// the store may keep and share the slice, but never write to it.
		r := newRecord("user-1")
		want := bytes.Clone(r.Data)
		save(t, s, r)
		got := fetch(t, s, r.ID)
		if err := s.UpdateSessionExpiry(ctx(t), r.ID, r.ExpiresAt.Add(time.Hour)); err != nil {
			t.Fatalf("UpdateSessionExpiry: %v", err)
		}
		list := list0(t, s, r.UserID)
		for name, b := range map[string][]byte{"the slice given to SaveSession": r.Data, "the slice FetchSession returned": got.Data, "the slice FetchSessionsForUser returned": list.Data} {
			if !bytes.Equal(b, want) {
				t.Fatalf("the store modified %s: a store must never write to a Data slice it was given or returned", name)
			}
		}
		if again := fetch(t, s, r.ID).Data; !bytes.Equal(again, want) {
			t.Fatalf("the stored data changed after SaveSession, FetchSession, UpdateSessionExpiry and FetchSessionsForUser")
		}
	}},
}

var keyChecks = []check{
	{"OddIDsAndUsers", func(t *testing.T, s narvik.SessionStore) {
		odd := []string{
			"ünïcødé-用户-🔑", "a:b", "a/b", "a*", "{a}", "a}{", "a b", "a\x00b", "a\x00", "a",
			"*", ":", "{", "}", "\x00", strings.Repeat("k", 1024), strings.Repeat("{x}:*/\x00é", 128),
		}
		// Each odd value is used once as a user ID and once as a session ID.
		// A store may refuse either with its typed error (a NUL in a text
		// column, a session ID that is not hex), but what it accepts must
		// come back exactly and stay apart from everything else.
		byUser := map[string][]narvik.Record{} // accepted records of each odd user
		var records []narvik.Record
		for i, v := range odd {
			r := newRecord(v) // user ID v
			r.Data = []byte(v)
			if err := s.SaveSession(ctx(t), r); err != nil {
				if !errors.Is(err, narvik.ErrInvalidUserID) {
					t.Fatalf("SaveSession with user ID %s = %v; want nil, or an error wrapping narvik.ErrInvalidUserID when the store cannot hold the ID exactly", short(v), err)
				}
				mustBeGone(t, s, r.ID, "SaveSession refused its user ID")
			} else {
				records = append(records, r)
				byUser[v] = append(byUser[v], r)
			}
			w := newRecord("user-" + string(rune('A'+i)))
			w.ID = v // session ID v
			if err := s.SaveSession(ctx(t), w); err != nil {
				if !errors.Is(err, narvik.ErrInvalidSessionID) {
					t.Fatalf("SaveSession with session ID %s = %v; want nil, or an error wrapping narvik.ErrInvalidSessionID (the core only sends 64 hex characters)", short(v), err)
				}
				mustBeGone(t, s, v, "SaveSession refused this session ID")
				assertUserHas(t, s, w.UserID)
				continue
			}
			records = append(records, w)
		}
		for _, r := range records {
			if d := diff(fetch(t, s, r.ID), r); d != "" {
				t.Fatalf("record with ID %s and user %s did not survive the round trip:%s", short(r.ID), short(r.UserID), d)
			}
		}
		for _, v := range odd {
			assertUserHas(t, s, v, byUser[v]...)
		}
		// Deleting one odd user must not touch users whose IDs share a prefix.
		if err := s.DeleteSessionsForUser(ctx(t), "a"); err != nil {
			t.Fatalf("DeleteSessionsForUser: %v", err)
		}
		assertUserHas(t, s, "a")
		for _, v := range odd {
			if v != "a" {
				assertUserHas(t, s, v, byUser[v]...)
			}
		}
		for _, v := range odd {
			if err := s.DeleteSession(ctx(t), v); err != nil {
				t.Fatalf("DeleteSession(%s): %v", short(v), err)
			}
			mustBeGone(t, s, v, "it was deleted")
			if v != "a" {
				assertUserHas(t, s, v, byUser[v]...)
			}
		}
	}},
}
