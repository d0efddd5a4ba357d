package narvik_test

// The 21 tests of narvik's own suite (spec section 8), ported. Where this port
// deliberately differs from narvik, the test says so and checks the Go
// behaviour instead.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

var bg = context.Background()

// sessions.test.ts 1 and 2.
func TestCreateSessionExpiry(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []narvik.Option
		want time.Duration
	}{
		{"default 30 days", nil, 30 * day},
		{"custom 7 days", []narvik.Option{narvik.WithSessionExpiresIn(7 * day)}, 7 * day},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var saved narvik.Record
			s := &stubStore{t: t, save: func(r narvik.Record) error {
				if r.ID == "" || r.UserID != "user-1" {
					t.Fatalf("saved %+v, want an ID and the user ID", r)
				}
				if d := time.Until(r.ExpiresAt); !within(d, tc.want) {
					t.Fatalf("saved expiry is now+%v, want within 10s of %v", d, tc.want)
				}
				saved = r
				return nil
			}}
			res, err := mustNew[struct{}](t, s, tc.opts...).CreateSession(bg, "user-1", struct{}{})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Session.New || res.Session.Extended {
				t.Fatalf("New, Extended = %v, %v; want true, false", res.Session.New, res.Session.Extended)
			}
			if res.Session.ID != narvik.SessionIDFromToken(res.Token) {
				t.Fatalf("ID = %s, want SessionIDFromToken(token)", res.Session.ID)
			}
			if !res.Session.ExpiresAt.Equal(saved.ExpiresAt) {
				t.Fatalf("returned expiry %v, saved %v", res.Session.ExpiresAt, saved.ExpiresAt)
			}
		})
	}
}

// sessions.test.ts 3: validate, not renewed.
func TestValidateSessionNotRenewed(t *testing.T) {
	expiresAt := time.Now().Add(20 * day).Truncate(time.Millisecond)
	s := &stubStore{t: t, fetch: func(id string) (narvik.Record, error) {
		return narvik.Record{ID: id, UserID: "user-1", ExpiresAt: expiresAt}, nil
	}}
	got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken)
	if err != nil || got == nil {
		t.Fatalf("ValidateSession = %v, %v", got, err)
	}
	if got.ID != narvik.SessionIDFromToken(validToken) || got.UserID != "user-1" || !got.ExpiresAt.Equal(expiresAt) {
		t.Fatalf("ValidateSession = %+v", got)
	}
	if got.New || got.Extended {
		t.Fatalf("New, Extended = %v, %v; want false, false", got.New, got.Extended)
	}
}

// sessions.test.ts 4: validate, renewed (10 days left of 30).
func TestValidateSessionRenewed(t *testing.T) {
	id := narvik.SessionIDFromToken(validToken)
	var updated time.Time
	s := &stubStore{t: t,
		fetch: func(string) (narvik.Record, error) {
			return narvik.Record{ID: id, UserID: "user-1", ExpiresAt: time.Now().Add(10 * day)}, nil
		},
		update: func(gotID string, expiresAt time.Time) error {
			if gotID != id {
				t.Fatalf("updateSessionExpiry(%s), want %s", gotID, id)
			}
			if d := time.Until(expiresAt); !within(d, 30*day) {
				t.Fatalf("new expiry now+%v, want within 10s of 30 days", d)
			}
			updated = expiresAt
			return nil
		},
	}
	got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken)
	if err != nil || got == nil {
		t.Fatalf("ValidateSession = %v, %v", got, err)
	}
	if !got.ExpiresAt.Equal(updated) || !got.Extended || got.New {
		t.Fatalf("ValidateSession = %+v, want the updated expiry, Extended and not New", got)
	}
}

// sessions.test.ts 5: expired session is deleted.
func TestValidateSessionExpired(t *testing.T) {
	id := narvik.SessionIDFromToken(validToken)
	deleted := ""
	s := &stubStore{t: t,
		fetch: func(string) (narvik.Record, error) {
			return narvik.Record{ID: id, UserID: "user-1", ExpiresAt: time.Now().Add(-time.Second)}, nil
		},
		deleteOne: func(got string) error { deleted = got; return nil },
	}
	got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken)
	if got != nil || err != nil {
		t.Fatalf("ValidateSession = %v, %v; want nil, nil", got, err)
	}
	if deleted != id {
		t.Fatalf("deleteSession(%q), want the computed ID %s", deleted, id)
	}
}

// sessions.test.ts 6: no session found. narvik hashes "testSessionToken" and
// asks the store; this port answers that malformed token without a store call
// (TestMalformedTokensSkipStore), so the store call is checked with a
// well-formed token and the hash with narvik's vector.
func TestValidateSessionNotFound(t *testing.T) {
	if got, want := narvik.SessionIDFromToken("testSessionToken"), "1626809001a7ba6bfac95ff81333a03ea5e5b95f28fe13fd9216a8e0a78a5e0c"; got != want {
		t.Fatalf("SessionIDFromToken(testSessionToken) = %s, want %s", got, want)
	}
	asked := ""
	s := &stubStore{t: t, fetch: func(id string) (narvik.Record, error) {
		asked = id
		return narvik.Record{}, narvik.ErrSessionNotFound
	}}
	got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken)
	if got != nil || err != nil {
		t.Fatalf("ValidateSession = %v, %v; want nil, nil", got, err)
	}
	if asked != narvik.SessionIDFromToken(validToken) {
		t.Fatalf("fetchSession(%q), want the token's hash", asked)
	}
}

// sessions.test.ts 7.
func TestInvalidateSession(t *testing.T) {
	deleted := ""
	s := &stubStore{t: t, deleteOne: func(id string) error { deleted = id; return nil }}
	if err := mustNew[struct{}](t, s).InvalidateSession(bg, "session-id"); err != nil {
		t.Fatal(err)
	}
	if deleted != "session-id" {
		t.Fatalf("deleteSession(%q), want %q", deleted, "session-id")
	}
}

// sessions.test.ts 8: narvik rejects with "... callback not provided in
// configuration" when an optional callback is missing. In Go the three are
// part of SessionStore, so a store without them does not compile; what is
// left to check is that their errors reach the caller, wrapped.
func TestOptionalOperationErrorsPropagate(t *testing.T) {
	boom := errors.New("store down")
	s := &stubStore{t: t,
		fetchForUser:     func(string) ([]narvik.Record, error) { return nil, boom },
		deleteForUser:    func(string) error { return boom },
		deleteAllExpired: func() (int, error) { return 0, boom },
	}
	n := mustNew[struct{}](t, s)
	if _, err := n.FetchSessionsForUser(bg, "u"); !errors.Is(err, boom) {
		t.Errorf("FetchSessionsForUser = %v, want the store's error", err)
	}
	if err := n.DeleteSessionsForUser(bg, "u"); !errors.Is(err, boom) {
		t.Errorf("DeleteSessionsForUser = %v, want the store's error", err)
	}
	if _, err := n.DeleteAllExpiredSessions(bg); !errors.Is(err, boom) {
		t.Errorf("DeleteAllExpiredSessions = %v, want the store's error", err)
	}
}

// sessions.test.ts 9: fetchSessionsForUser passes the store's sessions
// through. Unlike narvik, expired ones are dropped (TestFetchSessionsForUserFilters).
func TestFetchSessionsForUserPassthrough(t *testing.T) {
	exp := time.Now().Add(day)
	s := &stubStore{t: t, fetchForUser: func(userID string) ([]narvik.Record, error) {
		return []narvik.Record{{ID: "1", UserID: userID, ExpiresAt: exp}, {ID: "2", UserID: userID, ExpiresAt: exp}}, nil
	}}
	got, err := mustNew[struct{}](t, s).FetchSessionsForUser(bg, "user-1")
	if err != nil || len(got) != 2 || got[0].ID != "1" || got[1].ID != "2" || got[0].UserID != "user-1" {
		t.Fatalf("FetchSessionsForUser = %v, %v", got, err)
	}
}

// sessions.test.ts 10.
func TestDeleteSessionsForUserPassthrough(t *testing.T) {
	asked := ""
	s := &stubStore{t: t, deleteForUser: func(u string) error { asked = u; return nil }}
	if err := mustNew[struct{}](t, s).DeleteSessionsForUser(bg, "user-1"); err != nil || asked != "user-1" {
		t.Fatalf("DeleteSessionsForUser = %v, store asked for %q", err, asked)
	}
}

// sessions.test.ts 11; the Go port also returns the store's count.
func TestDeleteAllExpiredSessionsPassthrough(t *testing.T) {
	s := &stubStore{t: t, deleteAllExpired: func() (int, error) { return 3, nil }}
	if n, err := mustNew[struct{}](t, s).DeleteAllExpiredSessions(bg); n != 3 || err != nil {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 3, nil", n, err)
	}
}

// sessions-extended.test.ts 12: narvik lets saveSession add fields to the
// session object. Here data is typed and encoded, so the equivalent is that
// what the store keeps is what validation returns.
func TestSessionDataRoundTrip(t *testing.T) {
	n := mustNew[extra](t, memstore.New())
	res, err := n.CreateSession(bg, "user-1", extra{CustomField: "customValue"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.ValidateSession(bg, res.Token)
	if err != nil || got == nil || got.Data.CustomField != "customValue" || got.New || got.Extended {
		t.Fatalf("ValidateSession = %+v, %v; want customField back, neither flag set", got, err)
	}
}

// sessions-extended.test.ts 13: data passed to createSession reaches the
// store and the result.
func TestCreateSessionWithData(t *testing.T) {
	s := &stubStore{t: t, save: func(r narvik.Record) error {
		var d extra
		if err := json.Unmarshal(r.Data, &d); err != nil || d.CustomField != "customValue" {
			t.Fatalf("saved data %q, want customField", r.Data)
		}
		return nil
	}}
	res, err := mustNew[extra](t, s).CreateSession(bg, "user-1", extra{CustomField: "customValue"})
	if err != nil || res.Session.Data.CustomField != "customValue" {
		t.Fatalf("CreateSession = %+v, %v", res, err)
	}
}

// cookies.test.ts 14.
func TestCreateCookieDefault(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New())
	c := n.CreateCookie("session-token")
	a := c.Attributes
	if c.Name != n.CookieName() || c.Name != "narvik_session" || c.Value != "session-token" || !a.HttpOnly || !a.Secure || a.SameSite != narvik.SameSiteLax || a.Path != "/" || a.Domain != "" {
		t.Fatalf("CreateCookie = %+v", c)
	}
	if a.MaxAge != 2592000 {
		t.Fatalf("MaxAge = %d, want 2592000", a.MaxAge)
	}
	if got, want := c.Serialize(), "narvik_session=session-token; Max-Age=2592000; Path=/; SameSite=Lax; Secure; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
}

func customCookieOptions() []narvik.Option {
	return []narvik.Option{
		narvik.WithCookieName("example-cookie"),
		narvik.WithCookieExpiresIn(3 * day),
		narvik.WithCookieSecure(false),
		narvik.WithCookieDomain("example.com"),
		narvik.WithCookiePath("/example"),
		narvik.WithCookieSameSite(narvik.SameSiteLax),
	}
}

// cookies.test.ts 15.
func TestCreateCookieCustom(t *testing.T) {
	c := mustNew[struct{}](t, memstore.New(), customCookieOptions()...).CreateCookie("session-token")
	a := c.Attributes
	if c.Name != "example-cookie" || a.MaxAge != 259200 || a.Secure || a.Domain != "example.com" || a.Path != "/example" || a.SameSite != narvik.SameSiteLax || !a.HttpOnly {
		t.Fatalf("CreateCookie = %+v", c)
	}
	if got, want := c.Serialize(), "example-cookie=session-token; Domain=example.com; Max-Age=259200; Path=/example; SameSite=Lax; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
}

// cookies.test.ts 16.
func TestCookieSerializationEdgeCases(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New(),
		narvik.WithSessionExpiresIn(7*day), narvik.WithCookieName("example-cookie"),
		narvik.WithCookieDomain("example.com"), narvik.WithCookiePath("/example"))
	c := n.CreateCookie("session-token")
	if c.Attributes.MaxAge != 604800 {
		t.Fatalf("MaxAge = %d, want the 7-day session length, 604800", c.Attributes.MaxAge)
	}
	c.Attributes.HttpOnly = false
	if strings.Contains(c.Serialize(), "HttpOnly") {
		t.Fatalf("Serialize with HttpOnly off = %s", c.Serialize())
	}
	c.Attributes.SameSite = ""
	c.Attributes.Secure = false
	if got, want := c.Serialize(), "example-cookie=session-token; Domain=example.com; Max-Age=604800; Path=/example"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
}

// cookies.test.ts 17.
func TestCreateBlankCookieDefault(t *testing.T) {
	c := mustNew[struct{}](t, memstore.New()).CreateBlankCookie()
	if c.Value != "" || c.Attributes.MaxAge != 0 || !c.Attributes.Secure || !c.Attributes.HttpOnly {
		t.Fatalf("CreateBlankCookie = %+v", c)
	}
	if got, want := c.Serialize(), "narvik_session=; Max-Age=0; Path=/; SameSite=Lax; Secure; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
}

// cookies.test.ts 18. narvik emits SameSite=None without Secure; this port
// refuses that configuration (browsers drop such cookies), and a cookie
// edited by hand into it serialises to nothing.
func TestCreateBlankCookieCustom(t *testing.T) {
	opts := append(customCookieOptions(), narvik.WithCookieSameSite(narvik.SameSiteNone))
	if _, err := narvik.New[struct{}](memstore.New(), opts...); !errors.Is(err, narvik.ErrInvalidOption) {
		t.Fatalf("New with SameSite=None and Secure off = %v, want ErrInvalidOption", err)
	}
	c := mustNew[struct{}](t, memstore.New(), customCookieOptions()...).CreateBlankCookie()
	if got, want := c.Serialize(), "example-cookie=; Domain=example.com; Max-Age=0; Path=/example; SameSite=Lax; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
	c.Attributes.SameSite = narvik.SameSiteNone
	if got := c.Serialize(); got != "" || !errors.Is(c.Valid(), narvik.ErrInvalidOption) {
		t.Fatalf("SameSite=None without Secure: Serialize = %q, Valid = %v; want \"\" and ErrInvalidOption", got, c.Valid())
	}
}

// adapter.test.ts 19-21 run on the in-memory store with 7-day sessions.
func TestAdapterBasic(t *testing.T) {
	s := memstore.New()
	n := mustNew[struct{}](t, s, narvik.WithSessionExpiresIn(7*day))
	count := func() int {
		list, err := s.FetchSessionsForUser(bg, "user-1")
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	if count() != 0 {
		t.Fatal("store not empty")
	}
	res, err := n.CreateSession(bg, "user-1", struct{}{})
	if err != nil || count() != 1 {
		t.Fatalf("CreateSession = %v; %d sessions stored, want 1", err, count())
	}
	got, err := n.ValidateSession(bg, res.Token)
	if err != nil || got == nil || got.ID != res.Session.ID {
		t.Fatalf("ValidateSession = %v, %v", got, err)
	}
	if err := s.UpdateSessionExpiry(bg, res.Session.ID, time.Now().Add(day)); err != nil {
		t.Fatal(err)
	}
	got, err = n.ValidateSession(bg, res.Token)
	if err != nil || got == nil || !got.Extended || !within(time.Until(got.ExpiresAt), 7*day) {
		t.Fatalf("ValidateSession with 1 day left = %+v, %v; want extended to now+7d", got, err)
	}
	if err := n.InvalidateSession(bg, got.ID); err != nil || count() != 0 {
		t.Fatalf("InvalidateSession = %v; %d sessions left", err, count())
	}
}

func TestAdapterUserSessions(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New(), narvik.WithSessionExpiresIn(7*day))
	for range 3 {
		if _, err := n.CreateSession(bg, "user-1", struct{}{}); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := n.FetchSessionsForUser(bg, "user-1"); err != nil || len(list) != 3 {
		t.Fatalf("FetchSessionsForUser = %d, %v; want 3", len(list), err)
	}
	if err := n.DeleteSessionsForUser(bg, "user-1"); err != nil {
		t.Fatal(err)
	}
	if list, err := n.FetchSessionsForUser(bg, "user-1"); err != nil || len(list) != 0 {
		t.Fatalf("after DeleteSessionsForUser: %d, %v; want 0", len(list), err)
	}
}

func TestAdapterDeleteAllExpired(t *testing.T) {
	s := memstore.New()
	n := mustNew[struct{}](t, s, narvik.WithSessionExpiresIn(7*day))
	var ids []string
	for range 3 {
		res, err := n.CreateSession(bg, "user-1", struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Session.ID)
	}
	if err := s.UpdateSessionExpiry(bg, ids[0], time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if count, err := n.DeleteAllExpiredSessions(bg); count != 1 || err != nil {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 1, nil", count, err)
	}
	if list, err := n.FetchSessionsForUser(bg, "user-1"); err != nil || len(list) != 2 {
		t.Fatalf("%d sessions left, %v; want 2", len(list), err)
	}
}
