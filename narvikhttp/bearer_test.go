package narvikhttp_test

import (
	"context"
	"strings"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/narvikhttp"
)

// TestBearerHeaderDoesNotUnlockTheCookie: a request with a Bearer header is
// judged by that token alone. A junk token must neither exempt a cross-site
// POST from the CSRF check nor let EndSession reach the cookie's session;
// a valid token authenticates the request without touching the cookie.
func TestBearerHeaderDoesNotUnlockTheCookie(t *testing.T) {
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithBearerTokens()}})
	browser := e.client()
	cookieToken := e.signIn(browser, "victim")
	valid := func() bool {
		t.Helper()
		s, err := e.n.ValidateSession(context.Background(), cookieToken)
		if err != nil {
			t.Fatal(err)
		}
		return s != nil
	}
	junk := "Bearer " + strings.Repeat("a", narvik.TokenLength)

	// Cross-site POSTs with the victim's cookie and a junk Bearer token.
	for name, h := range map[string]map[string]string{
		"Sec-Fetch-Site cross-site":     {"Authorization": junk, "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"foreign Origin":                {"Authorization": junk, "Sec-Fetch-Site": "", "Origin": "https://evil.example"},
		"no origin evidence":            {"Authorization": junk, "Sec-Fetch-Site": "", "Origin": ""},
		"malformed token, cross-site":   {"Authorization": "Bearer junk", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"empty token, cross-site":       {"Authorization": "Bearer ", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"lower-case scheme, cross-site": {"Authorization": "bearer junk", "Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
	} {
		res := e.do(browser, "POST", "/signout", h)
		wantStatus(t, name, res, 403)
		if len(res.setCookie) != 0 || !valid() {
			t.Fatalf("%s: Set-Cookie %q, cookie session valid %v", name, res.setCookie, valid())
		}
	}

	// Same-origin, a junk Bearer token and the cookie: the request passes
	// the CSRF check, but it is the token's request, not the cookie's.
	res := e.do(browser, "POST", "/signout", map[string]string{"Authorization": junk})
	wantStatus(t, "same-origin sign-out with a junk token", res, 200)
	if len(res.setCookie) != 0 || !valid() {
		t.Fatalf("sign-out with a junk token: Set-Cookie %q, cookie session valid %v; want the cookie and its session untouched", res.setCookie, valid())
	}
	wantStatus(t, "an action with a junk token", e.do(browser, "POST", "/action", map[string]string{"Authorization": junk}), 401)

	// A valid token of another user: authenticated as that user, exempt
	// from the CSRF check, and the cookie is not touched.
	api, err := e.n.CreateSession(context.Background(), "api-user", data{Device: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	bearer := map[string]string{"Authorization": "Bearer " + api.Token, "Sec-Fetch-Site": "", "Origin": ""}
	res = e.do(browser, "POST", "/action", bearer)
	wantStatus(t, "valid token with a cookie", res, 200)
	if res.body != "user=api-user device=cli" || len(res.setCookie) != 0 {
		t.Fatalf("valid token with a cookie: body %q, Set-Cookie %q", res.body, res.setCookie)
	}
	res = e.do(browser, "POST", "/signout", bearer)
	wantStatus(t, "sign-out with a valid token", res, 200)
	if len(res.setCookie) != 0 || !valid() {
		t.Fatalf("sign-out with a valid token: Set-Cookie %q, cookie session valid %v", res.setCookie, valid())
	}
	if s, err := e.n.ValidateSession(context.Background(), api.Token); s != nil || err != nil {
		t.Fatalf("the token's session survived its sign-out: %v, %v", s, err)
	}
	wantStatus(t, "the browser afterwards", e.do(browser, "GET", "/me", nil), 200)
}
