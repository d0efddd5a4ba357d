package conformance

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// A user is exactly their ID, byte for byte. A database may treat two IDs
// as equal that narvik treats as two users: a case- or accent-insensitive
// collation (MySQL's default utf8mb4_general_ci), a column that pads or
// trims spaces, a wire protocol that replaces invalid UTF-8. Then signing
// out "alice" everywhere would also sign out "ALICE". These checks catch
// that class of bug; a store that cannot hold an ID exactly must refuse it
// with the typed error instead of storing it altered.

// userFamilies are sets of user IDs that some database treats as equal.
var userFamilies = []struct {
	rule string
	ids  []string
}{
	{"case folding", []string{"alice", "Alice", "ALICE"}},
	{"accent folding", []string{"cafe", "café", "CAFÉ"}},
	{"Unicode normalisation (NFC \"\\u00e9\" vs NFD \"e\\u0301\")", []string{"\u00e9lan", "e\u0301lan"}},
	{"expansions (German ß vs ss)", []string{"straße", "strasse"}},
	{"trailing or leading spaces", []string{"bob", "bob ", " bob", "bob  "}},
	{"a trailing NUL", []string{"carol", "carol\x00"}},
}

var identityChecks = []check{
	{"UserIDsAreExact", func(t *testing.T, s narvik.SessionStore) {
		for _, f := range userFamilies {
			// Each member in turn is the one signed out everywhere; every
			// other member must keep its session.
			for victim := range f.ids {
				owner := map[string]string{} // session ID -> user ID
				mine := map[string]narvik.Record{}
				var accepted []string
				for _, id := range f.ids {
					r := newRecord(id)
					if err := s.SaveSession(ctx(t), r); err != nil {
						if errors.Is(err, narvik.ErrInvalidUserID) {
							mustBeGone(t, s, r.ID, fmt.Sprintf("SaveSession refused user ID %q", id))
							continue
						}
						t.Fatalf("SaveSession for user %q (%s) = %v; want nil, or narvik.ErrInvalidUserID when the store cannot hold the ID exactly", id, f.rule, err)
					}
					owner[r.ID] = id
					mine[id] = r
					accepted = append(accepted, id)
				}
				for _, id := range accepted {
					if d := diff(fetch(t, s, mine[id].ID), mine[id]); d != "" {
						t.Fatalf("%s: the session of user %q came back altered (user IDs are stored byte for byte):%s", f.rule, id, d)
					}
					assertOwn(t, s, f.rule, id, owner, mine[id])
				}
				v := f.ids[victim]
				if err := s.DeleteSessionsForUser(ctx(t), v); err != nil {
					t.Fatalf("DeleteSessionsForUser(%q): %v", v, err)
				}
				for _, id := range accepted {
					if id == v {
						assertOwn(t, s, f.rule, id, owner)
						continue
					}
					if _, err := s.FetchSession(ctx(t), mine[id].ID); err != nil {
						t.Fatalf("%s: after DeleteSessionsForUser(%q), the session of user %q is gone (%v): user IDs that differ by %s are different users", f.rule, v, id, err, f.rule)
					}
					assertOwn(t, s, f.rule, id, owner, mine[id])
				}
				for _, id := range accepted { // leave the store empty for the next round
					if err := s.DeleteSessionsForUser(ctx(t), id); err != nil {
						t.Fatalf("DeleteSessionsForUser(%q): %v", id, err)
					}
				}
			}
		}
	}},
	{"InvalidUTF8UserIDs", func(t *testing.T, s narvik.SessionStore) {
		// Text stores may replace invalid UTF-8 with U+FFFD, merging these
		// users into one: each must round trip exactly or be refused.
		ids := []string{"\xff", "\xfe", "\xff\xfe", "\uFFFD", "a\xffb"}
		owner := map[string]string{}
		mine := map[string]narvik.Record{}
		refused := map[string]bool{}
		for _, id := range ids {
			r := newRecord(id)
			if err := s.SaveSession(ctx(t), r); err != nil {
				if !errors.Is(err, narvik.ErrInvalidUserID) {
					t.Fatalf("SaveSession for user %q = %v; want nil, or narvik.ErrInvalidUserID when the store cannot hold the ID exactly", id, err)
				}
				mustBeGone(t, s, r.ID, fmt.Sprintf("SaveSession refused user ID %q", id))
				refused[id] = true
				continue
			}
			owner[r.ID] = id
			mine[id] = r
		}
		if refused["\uFFFD"] {
			t.Fatalf("SaveSession refused user ID %q, which is valid UTF-8", "\uFFFD")
		}
		const rule = "invalid UTF-8 (never replaced by U+FFFD)"
		for id, r := range mine {
			if d := diff(fetch(t, s, r.ID), r); d != "" {
				t.Fatalf("the session of user %q came back altered:%s", id, d)
			}
			assertOwn(t, s, rule, id, owner, r)
		}
		if err := s.DeleteSessionsForUser(ctx(t), "\uFFFD"); err != nil {
			t.Fatalf("DeleteSessionsForUser(%q): %v", "\uFFFD", err)
		}
		for id, r := range mine {
			if id != "\uFFFD" {
				if _, err := s.FetchSession(ctx(t), r.ID); err != nil {
					t.Fatalf("after DeleteSessionsForUser(%q), the session of user %q is gone (%v): invalid UTF-8 must not be stored as U+FFFD", "\uFFFD", id, err)
				}
			}
		}

		// Through the core, a refusal is an error of CreateSession, never a
		// session for an altered user.
		n, err := narvik.New[struct{}](s)
		if err != nil {
			t.Fatal(err)
		}
		res, err := n.CreateSession(ctx(t), "\xff", struct{}{})
		switch {
		case refused["\xff"] && !errors.Is(err, narvik.ErrInvalidUserID):
			t.Fatalf("CreateSession for user %q = %v, %v; the store refuses that ID, so want an error wrapping narvik.ErrInvalidUserID", "\xff", res, err)
		case !refused["\xff"] && err != nil:
			t.Fatalf("CreateSession for user %q = %v; the store accepted that ID before", "\xff", err)
		case err == nil:
			got, err := n.ValidateSession(ctx(t), res.Token)
			if err != nil || got == nil || got.UserID != "\xff" {
				t.Fatalf("ValidateSession = %+v, %v; want the session of user %q", got, err, "\xff")
			}
		}
	}},
	{"SessionIDsAreExact", func(t *testing.T, s narvik.SessionStore) {
		// The core sends only lowercase hex; a store may refuse anything
		// else, but must never let another spelling reach this session.
		base := newRecord("owner")
		save(t, s, base)
		l := base.ID
		variants := []struct{ id, rule string }{
			{strings.ToUpper(l), "case"},
			{strings.ToUpper(l[:32]) + l[32:], "case"},
			{l + " ", "a trailing space"},
			{" " + l, "a leading space"},
			{l + "\x00", "a trailing NUL"},
		}
		for i, v := range variants {
			same := func(what string) {
				t.Helper()
				got, err := s.FetchSession(ctx(t), l)
				if err != nil {
					t.Fatalf("%s of session ID %q made the session %s... unreachable (%v): session IDs that differ by %s are different sessions", what, v.id, l[:16], err, v.rule)
				}
				if d := diff(got, base); d != "" {
					t.Fatalf("%s of session ID %q changed the session %s...: session IDs that differ by %s are different sessions:%s", what, v.id, l[:16], v.rule, d)
				}
			}
			if r, err := s.FetchSession(ctx(t), v.id); err == nil {
				t.Fatalf("FetchSession(%q) returned the session saved as %q (user %q): session IDs that differ by %s are different sessions", v.id, l, r.UserID, v.rule)
			} else if !isNotFound(err) {
				t.Fatalf("FetchSession(%q) = %v, want narvik.ErrSessionNotFound", v.id, err)
			}
			if err := s.UpdateSessionExpiry(ctx(t), v.id, now().Add(5*time.Hour)); !isNotFound(err) {
				t.Fatalf("UpdateSessionExpiry(%q) = %v, want narvik.ErrSessionNotFound: no session has this ID (session IDs that differ by %s are different sessions)", v.id, err, v.rule)
			}
			same("UpdateSessionExpiry")
			w := newRecord(fmt.Sprintf("other-%d", i))
			w.ID = v.id
			switch err := s.SaveSession(ctx(t), w); {
			case errors.Is(err, narvik.ErrInvalidSessionID):
				mustBeGone(t, s, v.id, "SaveSession refused this session ID")
			case err != nil:
				t.Fatalf("SaveSession(%q) = %v; want nil, or narvik.ErrInvalidSessionID: it is not the ID %q (session IDs that differ by %s are different sessions)", v.id, err, l, v.rule)
			default:
				if d := diff(fetch(t, s, v.id), w); d != "" {
					t.Fatalf("session %q did not survive the round trip:%s", v.id, d)
				}
			}
			same("SaveSession")
			if err := s.DeleteSession(ctx(t), v.id); err != nil {
				t.Fatalf("DeleteSession(%q): %v", v.id, err)
			}
			same("DeleteSession")
		}
		assertUserHas(t, s, "owner", base)
	}},
}

// assertOwn fails unless FetchSessionsForUser(id) lists exactly want, naming
// the user whose session it listed instead, from owner (session ID to user).
func assertOwn(t *testing.T, s narvik.SessionStore, rule, id string, owner map[string]string, want ...narvik.Record) {
	t.Helper()
	list, err := s.FetchSessionsForUser(ctx(t), id)
	if err != nil {
		t.Fatalf("FetchSessionsForUser(%q): %v", id, err)
	}
	got := map[string]bool{}
	for _, r := range list {
		if o, ok := owner[r.ID]; ok && o != id {
			t.Fatalf("%s: FetchSessionsForUser(%q) listed the session of user %q: user IDs that differ by %s are different users", rule, id, o, rule)
		}
		if r.UserID != id {
			t.Fatalf("%s: FetchSessionsForUser(%q) listed a session of user %q", rule, id, r.UserID)
		}
		got[r.ID] = true
	}
	for _, r := range want {
		if !got[r.ID] {
			t.Fatalf("%s: FetchSessionsForUser(%q) did not list its own session (%d listed)", rule, id, len(list))
		}
	}
	if len(list) != len(want) {
		t.Fatalf("%s: FetchSessionsForUser(%q) listed %d sessions, want %d", rule, id, len(list), len(want))
	}
}
