package app_test

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik/examples/webapp/app"
	"github.com/narvik-go/narvik/internal/testkit"
)

const (
	plainHTTPWarning = "This page did not come over HTTPS"
	secureWarning    = "the session cookie is Secure, but this request came over plain HTTP"
)

func hostCookie(token string) string {
	return "__Host-narvik_session=" + token + "; Max-Age=2592000; Path=/; SameSite=Lax; Secure; HttpOnly"
}

// cookieValue returns the value of a Set-Cookie line.
func cookieValue(setCookie string) string {
	_, v, _ := strings.Cut(setCookie, "=")
	v, _, _ = strings.Cut(v, ";")
	return v
}

// TestPlainCookiesOnlyForLoopback: without SecureCookies, only a request
// straight from this machine to a loopback host name gets a plain cookie.
// Any other host name, or a request a proxy passed on, gets a Secure
// __Host- cookie: over plain HTTP the browser drops it, narvikhttp logs a
// warning and the form says why, so the failure is visible and the token
// never travels in clear in a cookie the browser would send back.
func TestPlainCookiesOnlyForLoopback(t *testing.T) {
	var logs testkit.LogBuffer
	e := startEnv(t, app.Config{DemoAccounts: app.DemoAccountsOn, Logger: logs.Logger(), Limits: app.Limits{SignInPerAddress: app.Rate{Burst: 100, Every: time.Second}}}, false)
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":"):]
	for _, c := range []struct {
		name    string
		headers map[string]string
		plain   bool
	}{
		{"127.0.0.1", nil, true},
		{"localhost", map[string]string{"Host": "localhost" + port}, true},
		{"LOCALHOST.", map[string]string{"Host": "LOCALHOST." + port}, true},
		{"127.8.9.10", map[string]string{"Host": "127.8.9.10" + port}, true},
		{"[::1]", map[string]string{"Host": "[::1]" + port}, true},
		{"a LAN address", map[string]string{"Host": "192.168.1.20" + port}, false},
		{"a host name", map[string]string{"Host": "myapp.test" + port}, false},
		{"localhost.example", map[string]string{"Host": "localhost.example" + port}, false},
		{"localhost through a proxy", map[string]string{"Host": "localhost" + port, "X-Forwarded-For": "203.0.113.9"}, false},
		{"X-Forwarded-Proto", map[string]string{"X-Forwarded-Proto": "https"}, false},
		{"Forwarded", map[string]string{"Forwarded": "for=203.0.113.9;proto=https"}, false},
	} {
		d := e.device(uaLaptop)
		page := d.do("GET", "/signin", nil, c.headers)
		if strings.Contains(page.body, plainHTTPWarning) == c.plain {
			t.Errorf("%s: the sign-in page warns about plain HTTP: %v", c.name, !c.plain)
		}
		res := d.do("POST", "/signin", url.Values{"username": {"alice"}, "password": {"wonderland"}}, c.headers)
		want(t, c.name, res, 303, "/sessions")
		token := cookieValue(res.setCookie[0])
		cookie := sessionCookie(token)
		if !c.plain {
			cookie = hostCookie(token)
		}
		if !slices.Equal(res.setCookie, []string{cookie}) {
			t.Errorf("%s: Set-Cookie %q, want %q", c.name, res.setCookie, cookie)
		}
		// Each kind of request reads its own cookie only.
		signedIn := map[string]string{"Cookie": "__Host-narvik_session=" + token}
		wrongKind := map[string]string{"Cookie": "narvik_session=" + token}
		if c.plain {
			signedIn, wrongKind = wrongKind, signedIn
		}
		d.client.Jar = nil
		for k, v := range c.headers {
			signedIn[k], wrongKind[k] = v, v
		}
		want(t, c.name+", its own cookie", d.do("GET", "/sessions", nil, signedIn), 200, "")
		want(t, c.name+", the other cookie", d.do("GET", "/sessions", nil, wrongKind), 303, "/signin")
	}
	if log := logs.String(); strings.Count(log, secureWarning) != 1 || !strings.Contains(log, "host=192.168.1.20"+port) {
		t.Fatalf("log: %q; want narvikhttp's warning once, for the first non-local host", log)
	}
}

// TestSecureCookiesEverywhere: with SecureCookies, localhost gets the
// __Host- cookie too, and no page warns (the operator says it is HTTPS).
func TestSecureCookiesEverywhere(t *testing.T) {
	e := startEnv(t, app.Config{SecureCookies: true, DemoAccounts: app.DemoAccountsOn}, false)
	d := e.device(uaLaptop)
	if page := d.get("/signin"); strings.Contains(page.body, plainHTTPWarning) {
		t.Fatal("warned about plain HTTP with SecureCookies")
	}
	res := d.signIn("alice", "wonderland")
	if len(res.setCookie) != 1 || !strings.HasPrefix(res.setCookie[0], "__Host-narvik_session=") || !strings.Contains(res.setCookie[0], "; Secure") {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
}

// TestTrustedProxy: from a trusted proxy, X-Forwarded-Proto says whether
// the browser used HTTPS and X-Forwarded-For names the client, past any
// further trusted hops; what the client itself wrote further left is
// ignored. From anyone else, neither header counts.
func TestTrustedProxy(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	trusting := startEnv(t, app.Config{TrustedProxies: proxies, DemoAccounts: app.DemoAccountsOn}, false)
	other := startEnv(t, app.Config{DemoAccounts: app.DemoAccountsOn}, false)
	for _, c := range []struct {
		name    string
		e       *env
		headers map[string]string
		ip      string
		warn    bool
	}{
		{"trusted, HTTPS", trusting, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, "203.0.113.9", false},
		{"trusted, a chain with a spoofed start", trusting, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "https, http", "X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.1.2.3"}, "203.0.113.9", false},
		{"trusted, an IPv6 client", trusting, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-For": "2001:db8::7"}, "2001:db8::7", false},
		{"trusted, junk", trusting, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9, <script>"}, "127.0.0.1", false},
		{"trusted, plain HTTP", trusting, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"}, "203.0.113.9", true},
		{"untrusted", other, map[string]string{"Host": "app.example.com", "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, "127.0.0.1", true},
	} {
		d := c.e.device(uaLaptop)
		if page := d.do("GET", "/signin", nil, c.headers); strings.Contains(page.body, plainHTTPWarning) != c.warn {
			t.Errorf("%s: plain-HTTP warning shown: %v", c.name, !c.warn)
		}
		res := d.do("POST", "/signin", url.Values{"username": {"alice"}, "password": {"wonderland"}}, c.headers)
		want(t, c.name, res, 303, "/sessions")
		token := cookieValue(res.setCookie[0])
		if !slices.Equal(res.setCookie, []string{hostCookie(token)}) {
			t.Errorf("%s: Set-Cookie %q", c.name, res.setCookie)
		}
		s, err := c.e.n.ValidateSession(context.Background(), token)
		if err != nil || s == nil || s.Data.IP != c.ip {
			t.Errorf("%s: session %+v (%v); want the client's IP %s", c.name, s, err, c.ip)
		}
	}
}
