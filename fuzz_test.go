package narvik_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// countingStore counts FetchSession calls.
type countingStore struct {
	*memstore.Store
	fetches atomic.Int64
}

func (s *countingStore) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	s.fetches.Add(1)
	return s.Store.FetchSession(ctx, id)
}

// FuzzValidateSession: no input panics; only the real token yields a session;
// malformed tokens never reach the store.
func FuzzValidateSession(f *testing.F) {
	for _, seed := range []string{"", validToken, "testSessionToken", strings.Repeat("a", 32), strings.Repeat("7", 33), "\x00", "é"} {
		f.Add(seed)
	}
	store := &countingStore{Store: memstore.New()}
	n, err := narvik.New[struct{ A string }](store)
	if err != nil {
		f.Fatal(err)
	}
	res, err := n.CreateSession(context.Background(), "u", struct{ A string }{"x"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		before := store.fetches.Load()
		s, err := n.ValidateSession(context.Background(), token)
		if err != nil {
			t.Fatalf("ValidateSession(%q): %v", token, err)
		}
		if (s != nil) != (token == res.Token) {
			t.Fatalf("ValidateSession(%q) = %v", token, s)
		}
		wellFormed := len(token) == narvik.TokenLength && strings.Trim(token, "abcdefghijklmnopqrstuvwxyz234567") == ""
		if calls := store.fetches.Load() - before; !wellFormed && calls != 0 {
			t.Fatalf("malformed token %q made %d store calls", token, calls)
		}
	})
}

// FuzzCookie: whatever the configuration, New either refuses it with
// ErrInvalidOption or produces a cookie whose header parses back to the same
// name, value and attributes: no input can inject an attribute or a header.
// The same inputs set by hand on a Cookie serialise either to "" (Valid
// refuses them) or to a header that parses back the same way.
func FuzzCookie(f *testing.F) {
	f.Add("narvik_session", "session-token", "", "/", "lax", int64(3600), true, true)
	f.Add("example-cookie", "a b;c/é", "example.com", "/example", "none", int64(1), false, true)
	f.Add("x", "v", "evil.com; Secure", "/\r\nSet-Cookie: a=b", "strict", int64(0), true, false)
	f.Fuzz(func(t *testing.T, name, value, domain, path, sameSite string, maxAge int64, secure, httpOnly bool) {
		hand := narvik.Cookie{Name: name, Value: value, Attributes: narvik.CookieAttributes{
			Domain: domain, Path: path, MaxAge: int(maxAge % (1 << 31)), SameSite: narvik.SameSite(sameSite), Secure: secure, HttpOnly: httpOnly}}
		switch header := hand.Serialize(); {
		case (header == "") != (hand.Valid() != nil):
			t.Fatalf("Serialize = %q but Valid = %v", header, hand.Valid())
		case header != "":
			parsed, err := http.ParseSetCookie(header)
			if err != nil || parsed.Name != name || parsed.Path != path || parsed.Secure != secure || parsed.HttpOnly != httpOnly ||
				(domain != "" && !strings.Contains(header+";", "; Domain="+domain+";")) {
				t.Fatalf("hand-made cookie %+v serialised as %q, parsed back as %+v (%v)", hand, header, parsed, err)
			}
			if want := strings.Count(header, "; "); want != attrCount(hand.Attributes) {
				t.Fatalf("%q has %d attributes, want %d", header, want, attrCount(hand.Attributes))
			}
		}
		n, err := narvik.New[struct{}](memstore.New(),
			narvik.WithCookieName(name), narvik.WithCookieDomain(domain), narvik.WithCookiePath(path),
			narvik.WithCookieSameSite(narvik.SameSite(sameSite)), narvik.WithCookieSecure(secure),
			narvik.WithCookieHttpOnly(httpOnly), narvik.WithCookieExpiresIn(time.Duration(maxAge)*time.Second))
		if errors.Is(err, narvik.ErrInvalidOption) {
			return
		}
		if err != nil {
			t.Fatalf("New: unexpected error %v", err)
		}
		c := n.CreateCookie(value)
		header := c.Serialize()
		if strings.ContainsAny(header, "\r\n\x00") {
			t.Fatalf("header has a control character: %q", header)
		}
		parsed, err := http.ParseSetCookie(header)
		if err != nil {
			t.Fatalf("ParseSetCookie(%q): %v", header, err)
		}
		if parsed.Name != name {
			t.Fatalf("name %q parsed back as %q from %q", name, parsed.Name, header)
		}
		if got, err := url.PathUnescape(parsed.Raw[len(name)+1 : len(name)+1+strings.IndexByte(parsed.Raw[len(name)+1:]+";", ';')]); err != nil || got != value {
			t.Fatalf("value %q came back as %q (%v) from %q", value, got, err, header)
		}
		if domain != "" && !strings.Contains(header+";", "; Domain="+domain+";") {
			t.Fatalf("domain %q not written as one attribute in %q", domain, header)
		}
		if parsed.Secure != secure || parsed.HttpOnly != httpOnly || parsed.Path != path {
			t.Fatalf("flags/path changed: %+v from %q", parsed, header)
		}
		if want := strings.Count(header, "; "); want != attrCount(c.Attributes) {
			t.Fatalf("%q has %d attributes, want %d", header, want, attrCount(c.Attributes))
		}
		if err := c.Valid(); err != nil {
			t.Fatalf("a cookie New built is not Valid: %v", err)
		}
	})
}

func attrCount(a narvik.CookieAttributes) int {
	n := 0
	for _, on := range []bool{a.Domain != "", a.MaxAge >= 0, a.Path != "", a.SameSite != "", a.Secure, a.HttpOnly} {
		if on {
			n++
		}
	}
	return n
}
