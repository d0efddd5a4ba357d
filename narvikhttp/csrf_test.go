package narvikhttp_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikhttp"
)

const trustedOrigin = "https://app.example.com"

// TestCSRF drives every case of the check through the middleware, as a
// signed-in browser whose request headers say where the request came from.
func TestCSRF(t *testing.T) {
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithTrustedOrigins(trustedOrigin)}})
	c := e.client()
	e.signIn(c, "alice")
	self := e.srv.URL // https://127.0.0.1:port
	host := strings.TrimPrefix(self, "https://")

	for _, tc := range []struct {
		name    string
		method  string
		headers map[string]string // "" deletes the default same-origin header
		allowed bool
	}{
		// Sec-Fetch-Site, when present, decides.
		{"Sec-Fetch-Site cross-site", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, false},
		{"Sec-Fetch-Site cross-site without Origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": ""}, false},
		{"Sec-Fetch-Site cross-site claiming our Origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": self}, false},
		{"Sec-Fetch-Site same-site", "POST", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://sub." + host}, false},
		{"Sec-Fetch-Site unknown value", "POST", map[string]string{"Sec-Fetch-Site": "whatever", "Origin": self}, false},
		{"Sec-Fetch-Site cross-site from a trusted origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": trustedOrigin}, true},
		{"Sec-Fetch-Site same-site from a trusted origin", "POST", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "HTTPS://APP.example.com:443"}, true},
		{"Sec-Fetch-Site same-origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ""}, true},
		{"Sec-Fetch-Site none", "POST", map[string]string{"Sec-Fetch-Site": "none", "Origin": ""}, true},

		// Without Sec-Fetch-Site: Origin.
		{"bad Origin", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"}, false},
		{"Origin null", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "null"}, false},
		{"Origin with our host over http while we serve TLS", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "http://" + host}, false},
		{"Origin with another port", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://127.0.0.1:1"}, false},
		{"Origin that is a suffix trick", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://" + host + ".evil.example"}, false},
		{"Origin wins over a good Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example", "Referer": self + "/page"}, false},
		{"same Origin", "POST", map[string]string{"Sec-Fetch-Site": ""}, true},
		{"trusted Origin", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": trustedOrigin}, true},

		// Without Origin either: Referer.
		{"bad Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "", "Referer": "https://evil.example/" + host}, false},
		{"relative Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "", "Referer": "/sessions"}, false},
		{"unparsable Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "", "Referer": "https://%zz"}, false},
		{"same-origin Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "", "Referer": self + "/sessions?x=1"}, true},
		{"trusted Referer", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": "", "Referer": trustedOrigin + "/page"}, true},

		// Nothing to judge by.
		{"no headers", "POST", map[string]string{"Sec-Fetch-Site": "", "Origin": ""}, false},
		{"no headers, PUT", "PUT", map[string]string{"Sec-Fetch-Site": "", "Origin": ""}, false},
		{"no headers, DELETE", "DELETE", map[string]string{"Sec-Fetch-Site": "", "Origin": ""}, false},
		{"no headers, PATCH", "PATCH", map[string]string{"Sec-Fetch-Site": "", "Origin": ""}, false},

		// Safe methods are never checked.
		{"GET cross-site", "GET", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"HEAD cross-site", "HEAD", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"OPTIONS cross-site", "OPTIONS", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"TRACE cross-site", "TRACE", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, true},
		{"GET with no headers", "GET", map[string]string{"Sec-Fetch-Site": "", "Origin": ""}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fetches, reached := e.store.Calls(testkit.Fetch), e.reached.Load()
			res := e.do(c, tc.method, "/any", tc.headers)
			if tc.allowed {
				wantStatus(t, tc.name, res, 200)
				if e.reached.Load() != reached+1 {
					t.Fatal("the app was not reached")
				}
				return
			}
			wantStatus(t, tc.name, res, 403)
			if e.reached.Load() != reached {
				t.Fatal("a rejected request reached the app")
			}
			if e.store.Calls(testkit.Fetch) != fetches {
				t.Fatal("a rejected request reached the store")
			}
			if len(res.setCookie) != 0 {
				t.Fatalf("a rejected request changed the cookie: %q", res.setCookie)
			}
		})
	}
}

// TestCSRFPlainHTTP checks the scheme rule where it cannot be known: over
// plain HTTP a TLS-terminating proxy may be in front, so both schemes of
// our host pass.
func TestCSRFPlainHTTP(t *testing.T) {
	e := newEnv(t, envConfig{plainHTTP: true, narvikOpts: []narvik.Option{narvik.WithCookieSecure(false)}})
	host := strings.TrimPrefix(e.srv.URL, "http://")
	for origin, allowed := range map[string]bool{
		"http://" + host:                  true,
		"https://" + host:                 true,
		"http://" + strings.ToUpper(host): true,
		"http://localhost:1":              false,
		"ftp://" + host:                   false,
	} {
		res := e.do(e.srv.Client(), "POST", "/signin?user=alice", map[string]string{"Sec-Fetch-Site": "", "Origin": origin})
		if got := res.status != 403; got != allowed {
			t.Errorf("Origin %q: status %d, allowed %v, want %v", origin, res.status, got, allowed)
		}
	}
}

// TestCSRFProtectsSignIn: a request without a session is checked too, so
// another site cannot sign the browser into the attacker's account.
func TestCSRFProtectsSignIn(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	res := e.do(c, "POST", "/signin?user=mallory", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	wantStatus(t, "cross-site sign-in", res, 403)
	if len(res.setCookie) != 0 || e.token(c) != "" {
		t.Fatalf("cross-site sign-in set a cookie: %q", res.setCookie)
	}
}

func TestWithoutCSRF(t *testing.T) {
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithoutCSRF()}})
	c := e.client()
	e.signIn(c, "alice")
	res := e.do(c, "POST", "/action", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	wantStatus(t, "cross-site POST with CSRF off", res, 200)
}

func TestCSRFCustomErrorHandler(t *testing.T) {
	var got error
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "nope", http.StatusTeapot)
	})}})
	res := e.do(e.client(), "POST", "/action", map[string]string{"Sec-Fetch-Site": "cross-site"})
	wantStatus(t, "custom handler", res, http.StatusTeapot)
	if !errors.Is(got, narvikhttp.ErrCrossOrigin) {
		t.Fatalf("error handler got %v, want ErrCrossOrigin", got)
	}
}

// TestNoOriginSaysWhatIsMissing: a header-less POST (curl -d sends no
// Origin) is not cross-origin, it is unproven. The 403 says what was
// missing and what to do, and a custom error handler still sees
// ErrCrossOrigin.
func TestNoOriginSaysWhatIsMissing(t *testing.T) {
	e := newEnv(t, envConfig{plainHTTP: true, narvikOpts: []narvik.Option{narvik.WithCookieSecure(false)}})
	res := e.do(e.srv.Client(), "POST", "/signin?user=alice", map[string]string{"Sec-Fetch-Site": "", "Origin": ""})
	wantStatus(t, "POST without Origin", res, 403)
	for _, want := range []string{"no Origin header", "send one naming this site", "Origin: ", "Bearer"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("403 body %q does not say %q", res.body, want)
		}
	}
	res = e.do(e.srv.Client(), "POST", "/signin?user=alice", map[string]string{"Sec-Fetch-Site": "", "Origin": "https://evil.example"})
	if res.status != 403 || strings.TrimSpace(res.body) != "Forbidden: cross-origin request" {
		t.Errorf("a foreign Origin: %d %q", res.status, res.body)
	}

	var got error
	e = newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		http.Error(w, "nope", http.StatusForbidden)
	})}})
	e.do(e.srv.Client(), "POST", "/signin?user=alice", map[string]string{"Sec-Fetch-Site": "", "Origin": ""})
	if !errors.Is(got, narvikhttp.ErrCrossOrigin) || !strings.Contains(got.Error(), "no Sec-Fetch-Site, Origin or Referer") {
		t.Fatalf("error handler got %v; want ErrCrossOrigin saying what is missing", got)
	}
}
