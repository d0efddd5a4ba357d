package narvikhttp_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikhttp"
)

// FuzzHeaders feeds arbitrary cookies and Origin, Referer, Sec-Fetch-Site and
// Authorization headers to the middleware. It must never panic, never find a
// session for a token it did not issue, and never let a POST through whose
// only origin evidence is an Origin of another host, Bearer header or not.
func FuzzHeaders(f *testing.F) {
	f.Add("POST", "narvik_session=abc", "http://evil.example", "", "", "")
	f.Add("POST", "", "", "http://example.com/page", "same-origin", "Bearer abcdefghijklmnopqrstuvwxyz234567")
	f.Add("GET", "narvik_session=abcdefghijklmnopqrstuvwxyz234567", "null", "::", "cross-site", "Basic x")
	f.Add("PUT", "a=b; narvik_session=%zz", "http://example.com:80", "", "none", "Bearer ")
	n, err := narvik.New[struct{}](memstore.New())
	if err != nil {
		f.Fatal(err)
	}
	h, err := narvikhttp.New(n, narvikhttp.WithBearerTokens())
	if err != nil {
		f.Fatal(err)
	}
	var reached bool
	var signedIn bool
	handler := h.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		_, signedIn = narvikhttp.SessionFrom[struct{}](r.Context())
	}))
	f.Fuzz(func(t *testing.T, method, cookie, origin, referer, fetchSite, authz string) {
		if method == "" || strings.ContainsAny(method, " \t\r\n()<>@,;:\\\"/[]?={}") {
			method = http.MethodPost
		}
		r := httptest.NewRequest(http.MethodGet, "http://example.com/", nil)
		r.Method = method
		for name, v := range map[string]string{"Cookie": cookie, "Origin": origin, "Referer": referer, "Sec-Fetch-Site": fetchSite, "Authorization": authz} {
			if v != "" {
				r.Header.Set(name, v)
			}
		}
		reached, signedIn = false, false
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if signedIn {
			t.Fatalf("a session was found for headers nobody was issued: %v", r.Header)
		}
		// No token was issued, so a Bearer header never exempts a request
		// from the CSRF check either.
		unsafe := method != "GET" && method != "HEAD" && method != "OPTIONS" && method != "TRACE"
		if unsafe && reached && fetchSite == "" && origin != "" {
			if u, err := url.Parse(origin); err != nil || u.Host != "example.com" {
				t.Fatalf("%s with Origin %q reached the app on host example.com", method, origin)
			}
		}
	})
}
