package narvik_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// TestNewRefusesCookiesBrowsersDrop: every configuration whose cookie a
// browser would drop, or that would delete itself, is refused with
// ErrInvalidOption and a message that states the rule.
func TestNewRefusesCookiesBrowsersDrop(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []narvik.Option
		rule string // a part of the message
	}{
		{"__Host- without Secure", []narvik.Option{narvik.WithCookieName("__Host-s"), narvik.WithCookieSecure(false)}, "must be Secure, have Path=/ and no Domain"},
		{"__Host- with a Domain", []narvik.Option{narvik.WithCookieName("__Host-s"), narvik.WithCookieDomain("example.com")}, "must be Secure, have Path=/ and no Domain"},
		{"__Host- with another Path", []narvik.Option{narvik.WithCookieName("__Host-s"), narvik.WithCookiePath("/app")}, "must be Secure, have Path=/ and no Domain"},
		{"__Host- with no Path", []narvik.Option{narvik.WithCookieName("__Host-s"), narvik.WithCookiePath("")}, "must be Secure, have Path=/ and no Domain"},
		{"__host- in lower case", []narvik.Option{narvik.WithCookieName("__host-s"), narvik.WithCookieSecure(false)}, "__Host- cookie must be Secure"},
		{"__Secure- without Secure", []narvik.Option{narvik.WithCookieName("__Secure-s"), narvik.WithCookieSecure(false)}, "__Secure- cookie must be Secure"},
		{"__SECURE- without Secure", []narvik.Option{narvik.WithCookieName("__SECURE-s"), narvik.WithCookieSecure(false)}, "__Secure- cookie must be Secure"},
		{"sub-second session", []narvik.Option{narvik.WithSessionExpiresIn(999 * time.Millisecond)}, "at least one second"},
		{"browser-session cookie, then a cookie length", []narvik.Option{narvik.WithBrowserSessionCookie(), narvik.WithCookieExpiresIn(time.Hour)}, "contradict"},
		{"a cookie length, then a browser-session cookie", []narvik.Option{narvik.WithCookieExpiresIn(time.Hour), narvik.WithBrowserSessionCookie()}, "contradict"},
		{"host prefix option without Secure", []narvik.Option{narvik.WithCookieHostPrefix(), narvik.WithCookieSecure(false)}, "must be Secure, have Path=/ and no Domain"},
		{"Secure off, then the host prefix option", []narvik.Option{narvik.WithCookieSecure(false), narvik.WithCookieHostPrefix()}, "must be Secure, have Path=/ and no Domain"},
		{"host prefix option with a Domain", []narvik.Option{narvik.WithCookieHostPrefix(), narvik.WithCookieDomain("example.com")}, "must be Secure, have Path=/ and no Domain"},
	} {
		_, err := narvik.New[struct{}](memstore.New(), c.opts...)
		if !errors.Is(err, narvik.ErrInvalidOption) || !strings.Contains(err.Error(), c.rule) {
			t.Errorf("%s: New = %v; want ErrInvalidOption saying %q", c.name, err, c.rule)
		}
	}
}

func TestCookieHostPrefix(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []narvik.Option
		want string
	}{
		{"the option alone", []narvik.Option{narvik.WithCookieHostPrefix()}, "__Host-narvik_session"},
		{"name, then option", []narvik.Option{narvik.WithCookieName("sid"), narvik.WithCookieHostPrefix()}, "__Host-sid"},
		{"option, then name", []narvik.Option{narvik.WithCookieHostPrefix(), narvik.WithCookieName("sid")}, "__Host-sid"},
		{"a name with the prefix already", []narvik.Option{narvik.WithCookieHostPrefix(), narvik.WithCookieName("__Host-sid")}, "__Host-sid"},
		{"a __Host- name without the option", []narvik.Option{narvik.WithCookieName("__Host-sid")}, "__Host-sid"},
	} {
		n, err := narvik.New[struct{}](memstore.New(), c.opts...)
		if err != nil {
			t.Errorf("%s: New = %v", c.name, err)
			continue
		}
		want := c.want + "=tok; Max-Age=2592000; Path=/; SameSite=Lax; Secure; HttpOnly"
		if got := n.CreateCookie("tok").Serialize(); n.CookieName() != c.want || got != want {
			t.Errorf("%s: cookie name %q, Serialize %q; want %q", c.name, n.CookieName(), got, want)
		}
	}
	if _, err := narvik.New[struct{}](memstore.New(), narvik.WithCookieName("__Secure-sid")); err != nil {
		t.Errorf("__Secure- with the default Secure: %v", err)
	}
}

// TestSerializeValidatesFields: a cookie whose fields were changed by hand
// is held to New's rules when it is written. An invalid one serialises to
// nothing, converts to a nil *http.Cookie (which http.SetCookie skips), and
// Valid says why.
func TestSerializeValidatesFields(t *testing.T) {
	n := mustNew[struct{}](t, memstore.New())
	host := mustNew[struct{}](t, memstore.New(), narvik.WithCookieHostPrefix())
	for _, c := range []struct {
		name   string
		from   *narvik.Narvik[struct{}]
		change func(*narvik.Cookie)
		rule   string
	}{
		{"Domain from a request", n, func(c *narvik.Cookie) { c.Attributes.Domain = "example.com; Domain=evil.example" }, "cookie domain"},
		{"Path with a header break", n, func(c *narvik.Cookie) { c.Attributes.Path = "/\r\nSet-Cookie: x=y" }, "cookie path"},
		{"Path with ;", n, func(c *narvik.Cookie) { c.Attributes.Path = "/; Domain=evil.example" }, "cookie path"},
		{"name with =", n, func(c *narvik.Cookie) { c.Name = "a=b" }, "cookie name"},
		{"empty name", n, func(c *narvik.Cookie) { c.Name = "" }, "cookie name"},
		{"unknown SameSite", n, func(c *narvik.Cookie) { c.Attributes.SameSite = "Lax; Domain=evil.example" }, "SameSite"},
		{"SameSite=None without Secure", n, func(c *narvik.Cookie) {
			c.Attributes.SameSite, c.Attributes.Secure = narvik.SameSiteNone, false
		}, "SameSite=None requires Secure"},
		{"__Host- given a Domain", host, func(c *narvik.Cookie) { c.Attributes.Domain = "example.com" }, "__Host- cookie must"},
		{"__Host- made not Secure", host, func(c *narvik.Cookie) { c.Attributes.Secure = false }, "__Host- cookie must"},
		{"__Host- given a Path", host, func(c *narvik.Cookie) { c.Attributes.Path = "/app" }, "__Host- cookie must"},
		{"renamed __Secure- without Secure", n, func(c *narvik.Cookie) { c.Name, c.Attributes.Secure = "__Secure-x", false }, "__Secure- cookie must"},
	} {
		for kind, ck := range map[string]narvik.Cookie{"session": c.from.CreateCookie(validToken), "blank": c.from.CreateBlankCookie()} {
			c.change(&ck)
			err := ck.Valid()
			if !errors.Is(err, narvik.ErrInvalidOption) || !strings.Contains(err.Error(), c.rule) {
				t.Errorf("%s (%s cookie): Valid = %v; want ErrInvalidOption saying %q", c.name, kind, err, c.rule)
			}
			if got := ck.Serialize(); got != "" {
				t.Errorf("%s (%s cookie): Serialize = %q, want \"\"", c.name, kind, got)
			}
			if hc := ck.HTTPCookie(); hc != nil {
				t.Errorf("%s (%s cookie): HTTPCookie = %+v, want nil", c.name, kind, hc)
			}
			w := httptest.NewRecorder()
			http.SetCookie(w, ck.HTTPCookie())
			if got := w.Header().Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("%s (%s cookie): http.SetCookie wrote %q", c.name, kind, got)
			}
		}
	}

	// Changes that keep to the rules are written as they are.
	c := n.CreateCookie(validToken)
	c.Attributes.Domain, c.Attributes.Path, c.Attributes.SameSite = "app.example.com", "/app", narvik.SameSiteStrict
	if err := c.Valid(); err != nil {
		t.Fatalf("Valid = %v", err)
	}
	if got, want := c.Serialize(), "narvik_session="+validToken+"; Domain=app.example.com; Max-Age=2592000; Path=/app; SameSite=Strict; Secure; HttpOnly"; got != want {
		t.Fatalf("Serialize =\n%s\nwant\n%s", got, want)
	}
	if hc := c.HTTPCookie(); hc == nil || hc.Domain != "app.example.com" || hc.Path != "/app" {
		t.Fatalf("HTTPCookie = %+v", hc)
	}
}
