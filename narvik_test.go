package narvik_test

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

var tokenShape = regexp.MustCompile(`^[a-z2-7]{32}$`)

func TestTokens(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New())
	seen := map[string]bool{}
	for range 200 {
		res, err := n.CreateSession(bg, "u", struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		if !tokenShape.MatchString(res.Token) {
			t.Fatalf("token %q is not 32 characters of [a-z2-7]", res.Token)
		}
		if seen[res.Token] {
			t.Fatalf("token %q issued twice", res.Token)
		}
		seen[res.Token] = true
	}
}

func TestSessionIDFromTokenVectors(t *testing.T) {
	for token, want := range map[string]string{
		"testSessionToken": "1626809001a7ba6bfac95ff81333a03ea5e5b95f28fe13fd9216a8e0a78a5e0c",
		"session-token":    "c101e911469c969171040b50d70543313cf968fdef5bacc780776f8fb399ab36",
	} {
		if got := narvik.SessionIDFromToken(token); got != want {
			t.Errorf("SessionIDFromToken(%q) = %s, want %s", token, got, want)
		}
	}
}

// Safer than narvik: a token that narvik could never have issued is answered
// without a store call (the stub fails on any call).
func TestMalformedTokensSkipStore(t *testing.T) {
	n := mustNew[struct{}](t, &stubStore{t: t})
	for _, tok := range []string{
		"", "testSessionToken", "session-token", strings.ToUpper(validToken), validToken + "a", validToken[:31],
		"abcdefghijklmnopqrstuvwxyz234561", "abcdefghijklmnopqrstuvwxyz234568", "abcdefghijklmnopqrstuvwxyz23456=",
		"abcdefghijklmnopqrstuvwxyz23456\x00", "ébcdefghijklmnopqrstuvwxyz23456",
	} {
		if got, err := n.ValidateSession(bg, tok); got != nil || err != nil {
			t.Errorf("ValidateSession(%q) = %v, %v; want nil, nil", tok, got, err)
		}
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	if _, err := narvik.New[struct{}](nil); !errors.Is(err, narvik.ErrNilStore) {
		t.Fatalf("New(nil) = %v, want ErrNilStore", err)
	}
	for name, opts := range map[string][]narvik.Option{
		"zero session length":     {narvik.WithSessionExpiresIn(0)},
		"negative session length": {narvik.WithSessionExpiresIn(-time.Hour)},
		"negative cookie length":  {narvik.WithCookieExpiresIn(-time.Hour)},
		"sub-second cookie":       {narvik.WithCookieExpiresIn(500 * time.Millisecond)},
		"nil clock":               {narvik.WithClock(nil)},
		"nil codec":               {narvik.WithCodec(nil)},
		"empty cookie name":       {narvik.WithCookieName("")},
		"cookie name with ;":      {narvik.WithCookieName("a;b")},
		"cookie name with space":  {narvik.WithCookieName("a b")},
		"cookie name with (":      {narvik.WithCookieName("a(")},
		"domain with ;":           {narvik.WithCookieDomain("example.com; Secure")},
		"path with newline":       {narvik.WithCookiePath("/\r\nSet-Cookie: x=y")},
		"unknown SameSite":        {narvik.WithCookieSameSite("sometimes")},
		"SameSite=None insecure":  {narvik.WithCookieSameSite(narvik.SameSiteNone), narvik.WithCookieSecure(false)},
	} {
		if _, err := narvik.New[struct{}](memstore.New(), opts...); !errors.Is(err, narvik.ErrInvalidOption) {
			t.Errorf("%s: New = %v, want ErrInvalidOption", name, err)
		}
	}
	if _, err := narvik.New[struct{}](memstore.New(), narvik.WithCookieSameSite(narvik.SameSiteNone)); err != nil {
		t.Errorf("SameSite=None with Secure: %v", err)
	}
}

func TestEmptyUserIDRefused(t *testing.T) {
	n := mustNew[struct{}](t, &stubStore{t: t})
	if _, err := n.CreateSession(bg, "", struct{}{}); !errors.Is(err, narvik.ErrEmptyUserID) {
		t.Errorf("CreateSession = %v", err)
	}
	if _, err := n.FetchSessionsForUser(bg, ""); !errors.Is(err, narvik.ErrEmptyUserID) {
		t.Errorf("FetchSessionsForUser = %v", err)
	}
	if err := n.DeleteSessionsForUser(bg, ""); !errors.Is(err, narvik.ErrEmptyUserID) {
		t.Errorf("DeleteSessionsForUser = %v", err)
	}
}

func TestUnencodableDataSavesNothing(t *testing.T) {
	n := mustNew[func()](t, &stubStore{t: t}) // SaveSession would fail the test
	if res, err := n.CreateSession(bg, "u", func() {}); !errors.Is(err, narvik.ErrEncodeData) || res != nil {
		t.Fatalf("CreateSession(func) = %v, %v; want nil, ErrEncodeData", res, err)
	}
}

func TestStoreErrorsFailClosed(t *testing.T) {
	boom := errors.New("connection refused")
	id := narvik.SessionIDFromToken(validToken)
	live := func(d time.Duration) func(string) (narvik.Record, error) {
		return func(string) (narvik.Record, error) {
			return narvik.Record{ID: id, UserID: "u", ExpiresAt: time.Now().Add(d)}, nil
		}
	}
	for name, s := range map[string]*stubStore{
		"fetch fails": {fetch: func(string) (narvik.Record, error) { return narvik.Record{}, boom }},
		"extend fails": {fetch: live(time.Hour),
			update: func(string, time.Time) error { return boom }},
		"delete of expired fails": {fetch: live(-time.Hour),
			deleteOne: func(string) error { return boom }},
	} {
		s.t = t
		got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken)
		if got != nil || !errors.Is(err, boom) {
			t.Errorf("%s: ValidateSession = %v, %v; want nil and the store's error", name, got, err)
		}
	}
	s := &stubStore{t: t, save: func(narvik.Record) error { return boom }}
	if res, err := mustNew[struct{}](t, s).CreateSession(bg, "u", struct{}{}); res != nil || !errors.Is(err, boom) {
		t.Errorf("CreateSession with a failing store = %v, %v", res, err)
	}
}

func TestUntrustworthyRecordsFailClosed(t *testing.T) {
	id := narvik.SessionIDFromToken(validToken)
	for name, r := range map[string]narvik.Record{
		"another ID":       {ID: "other", UserID: "u", ExpiresAt: time.Now().Add(day)},
		"undecodable data": {ID: id, UserID: "u", ExpiresAt: time.Now().Add(day), Data: []byte("{not json")},
		"no user ID":       {ID: id, UserID: "", ExpiresAt: time.Now().Add(day)},
	} {
		s := &stubStore{t: t, fetch: func(string) (narvik.Record, error) { return r, nil }}
		got, err := mustNew[extra](t, s).ValidateSession(bg, validToken)
		if got != nil || !errors.Is(err, narvik.ErrBadRecord) {
			t.Errorf("%s: ValidateSession = %v, %v; want nil, ErrBadRecord", name, got, err)
		}
	}
}

// If the session is deleted between fetch and extension, it is gone: (nil, nil).
func TestExtensionOfDeletedSession(t *testing.T) {
	id := narvik.SessionIDFromToken(validToken)
	s := &stubStore{t: t,
		fetch: func(string) (narvik.Record, error) {
			return narvik.Record{ID: id, UserID: "u", ExpiresAt: time.Now().Add(time.Hour)}, nil
		},
		update: func(string, time.Time) error { return narvik.ErrSessionNotFound },
	}
	if got, err := mustNew[struct{}](t, s).ValidateSession(bg, validToken); got != nil || err != nil {
		t.Fatalf("ValidateSession = %v, %v; want nil, nil", got, err)
	}
}

// Both boundaries are inclusive, as in narvik: expired when now >= ExpiresAt,
// extended when now >= ExpiresAt - length/2.
func TestBoundaries(t *testing.T) {
	const length = 10 * time.Hour
	exp := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	id := narvik.SessionIDFromToken(validToken)
	for _, tc := range []struct {
		now                       time.Time
		wantNil, wantExt, wantDel bool
	}{
		{now: exp.Add(-length/2 - time.Nanosecond)},
		{now: exp.Add(-length / 2), wantExt: true},
		{now: exp.Add(-time.Nanosecond), wantExt: true},
		{now: exp, wantNil: true, wantDel: true},
	} {
		var extended, deleted bool
		s := &stubStore{t: t,
			fetch: func(string) (narvik.Record, error) { return narvik.Record{ID: id, UserID: "u", ExpiresAt: exp}, nil },
			update: func(_ string, e time.Time) error {
				extended = e.Equal(tc.now.Add(length).Truncate(time.Millisecond))
				return nil
			},
			deleteOne: func(string) error { deleted = true; return nil },
		}
		n := mustNew[struct{}](t, s, narvik.WithSessionExpiresIn(length), narvik.WithClock(func() time.Time { return tc.now }))
		got, err := n.ValidateSession(bg, validToken)
		if err != nil || (got == nil) != tc.wantNil || extended != tc.wantExt || deleted != tc.wantDel || (got != nil && got.Extended != tc.wantExt) {
			t.Errorf("at expiry%+v: session %v, err %v, extended %v, deleted %v; want nil=%v extended=%v deleted=%v",
				tc.now.Sub(exp), got, err, extended, deleted, tc.wantNil, tc.wantExt, tc.wantDel)
		}
	}
}

func TestTimesInWholeMilliseconds(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.UTC)
	var saved narvik.Record
	s := &stubStore{t: t, save: func(r narvik.Record) error { saved = r; return nil }}
	res, err := mustNew[struct{}](t, s, narvik.WithClock(func() time.Time { return at })).CreateSession(bg, "u", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	want := at.Truncate(time.Millisecond)
	if !saved.CreatedAt.Equal(want) || !res.Session.CreatedAt.Equal(want) || !res.Session.ExpiresAt.Equal(want.Add(30*day)) || !saved.ExpiresAt.Equal(res.Session.ExpiresAt) {
		t.Fatalf("saved %v/%v, returned %v/%v; want whole milliseconds from %v", saved.CreatedAt, saved.ExpiresAt, res.Session.CreatedAt, res.Session.ExpiresAt, want)
	}
}

// The core filters by its own clock, so a listing agrees with ValidateSession.
func TestFetchSessionsForUserFilters(t *testing.T) {
	now := time.Now()
	s := &stubStore{t: t, fetchForUser: func(string) ([]narvik.Record, error) {
		return []narvik.Record{{ID: "live", UserID: "u", ExpiresAt: now.Add(time.Hour)}, {ID: "gone", UserID: "u", ExpiresAt: now}}, nil
	}}
	got, err := mustNew[struct{}](t, s, narvik.WithClock(func() time.Time { return now })).FetchSessionsForUser(bg, "u")
	if err != nil || len(got) != 1 || got[0].ID != "live" {
		t.Fatalf("FetchSessionsForUser = %v, %v; want only the live session", got, err)
	}
	s.fetchForUser = func(string) ([]narvik.Record, error) {
		return []narvik.Record{{ID: "x", UserID: "someone else", ExpiresAt: now.Add(time.Hour)}}, nil
	}
	if got, err := mustNew[struct{}](t, s).FetchSessionsForUser(bg, "u"); got != nil || !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("a listing with another user's session = %v, %v; want ErrBadRecord", got, err)
	}
	// A live record without a user, among good ones: no list, ErrBadRecord.
	s.fetchForUser = func(string) ([]narvik.Record, error) {
		return []narvik.Record{{ID: "live", UserID: "u", ExpiresAt: now.Add(time.Hour)}, {ID: "x", UserID: "", ExpiresAt: now.Add(time.Hour)}}, nil
	}
	if got, err := mustNew[struct{}](t, s).FetchSessionsForUser(bg, "u"); got != nil || !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("a listing with a session of no user = %v, %v; want ErrBadRecord", got, err)
	}
}

func TestCookieEncodingAndConversion(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New(), narvik.WithCookieExpiresIn(1500*time.Millisecond))
	c := n.CreateCookie("a b;c/é")
	if got, want := c.Serialize(), "narvik_session=a%20b%3Bc%2F%C3%A9; Max-Age=1; Path=/; SameSite=Lax; Secure; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s (encodeURIComponent; whole seconds)", got, want)
	}
	hc := n.CreateCookie(validToken).HTTPCookie()
	if hc.Name != "narvik_session" || hc.Value != validToken || hc.MaxAge != 1 || hc.Path != "/" || !hc.Secure || !hc.HttpOnly || hc.SameSite != http.SameSiteLaxMode {
		t.Fatalf("HTTPCookie = %+v", hc)
	}
	if hc := n.CreateBlankCookie().HTTPCookie(); hc.MaxAge != -1 || !strings.Contains(hc.String(), "Max-Age=0") {
		t.Fatalf("blank HTTPCookie = %+v (%s), want Max-Age=0", hc, hc.String())
	}
}

func TestBrowserSessionCookie(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New(), narvik.WithBrowserSessionCookie())
	if got, want := n.CreateCookie("tok").Serialize(), "narvik_session=tok; Path=/; SameSite=Lax; Secure; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
	if hc := n.CreateCookie("tok").HTTPCookie(); hc.MaxAge != 0 || strings.Contains(hc.String(), "Max-Age") {
		t.Fatalf("HTTPCookie of a browser-session cookie = %s", hc.String())
	}
	if got, want := n.CreateBlankCookie().Serialize(), "narvik_session=; Max-Age=0; Path=/; SameSite=Lax; Secure; HttpOnly"; got != want {
		t.Fatalf("blank cookie =\n%s\nwant\n%s", got, want)
	}
}

// Each cookie is a fresh value: editing one changes no other.
func TestCookiesAreIndependent(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New())
	c := n.CreateCookie("a")
	c.Attributes.Path = "/changed"
	c.Attributes.HttpOnly = false
	if d := n.CreateCookie("b"); d.Attributes.Path != "/" || !d.Attributes.HttpOnly {
		t.Fatalf("editing a cookie changed the next one: %+v", d)
	}
}
