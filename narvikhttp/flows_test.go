package narvikhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikhttp"
)

func TestSignIn(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	wantStatus(t, "before sign-in", e.do(c, "GET", "/me", nil), 401)

	res := e.do(c, "POST", "/signin?user=alice", nil)
	wantStatus(t, "sign in", res, 200)
	token := e.token(c)
	if want := []string{sessionCookie(token)}; !slices.Equal(res.setCookie, want) {
		t.Fatalf("sign-in Set-Cookie %q, want %q", res.setCookie, want)
	}

	res = e.do(c, "GET", "/me", nil)
	wantStatus(t, "after sign-in", res, 200)
	if res.body != "user=alice device=test-device" {
		t.Fatalf("body %q", res.body)
	}
	if len(res.setCookie) != 0 {
		t.Fatalf("a fresh session re-set the cookie: %q", res.setCookie)
	}
}

func TestSignInAgainReplacesTheSession(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	first := e.signIn(c, "alice")
	second := e.signIn(c, "alice")
	if first == second {
		t.Fatal("signing in again kept the token")
	}
	if s, err := e.n.ValidateSession(context.Background(), first); err != nil || s != nil {
		t.Fatalf("old session still valid: %v, %v", s, err)
	}
	all, err := e.n.FetchSessionsForUser(context.Background(), "alice")
	if err != nil || len(all) != 1 {
		t.Fatalf("alice has %d sessions (%v), want 1", len(all), err)
	}
}

func TestCookieReSetOnExtension(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	token := e.signIn(c, "alice")

	e.clock.Advance(thirtyDays/2 - time.Minute) // more than half left: no extension
	res := e.do(c, "GET", "/me", nil)
	wantStatus(t, "before half-life", res, 200)
	if len(res.setCookie) != 0 {
		t.Fatalf("cookie re-set before the session was extended: %q", res.setCookie)
	}

	e.clock.Advance(2 * time.Minute) // half or less left: extended
	res = e.do(c, "GET", "/me", nil)
	wantStatus(t, "at half-life", res, 200)
	if want := []string{sessionCookie(token)}; !slices.Equal(res.setCookie, want) {
		t.Fatalf("extension Set-Cookie %q, want %q", res.setCookie, want)
	}
	s, err := e.n.ValidateSession(context.Background(), token)
	if err != nil || s == nil || !s.ExpiresAt.Equal(e.clock.Now().Add(thirtyDays).Truncate(time.Millisecond)) {
		t.Fatalf("session after extension: %+v, %v", s, err)
	}

	// The extended session outlives the original expiry.
	e.clock.Advance(thirtyDays / 2)
	wantStatus(t, "past the first expiry", e.do(c, "GET", "/me", nil), 200)
}

func TestBrowserSessionCookie(t *testing.T) {
	e := newEnv(t, envConfig{narvikOpts: []narvik.Option{narvik.WithBrowserSessionCookie()}})
	c := e.client()
	res := e.do(c, "POST", "/signin?user=alice", nil)
	token := e.token(c)
	want := "narvik_session=" + token + "; Path=/; SameSite=Lax; Secure; HttpOnly"
	if !slices.Equal(res.setCookie, []string{want}) {
		t.Fatalf("Set-Cookie %q, want %q (no Max-Age)", res.setCookie, want)
	}
	res = e.do(c, "POST", "/signout", nil)
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("blank cookie %q, want %q", res.setCookie, blankCookie)
	}
}

func TestExpiredSessionGetsBlankCookie(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	token := e.signIn(c, "alice")
	e.clock.Advance(thirtyDays)

	res := e.do(c, "GET", "/me", nil)
	wantStatus(t, "expired", res, 401)
	if want := []string{blankCookie}; !slices.Equal(res.setCookie, want) {
		t.Fatalf("Set-Cookie %q, want exactly %q", res.setCookie, want)
	}
	if e.token(c) != "" {
		t.Fatal("the jar kept the cookie after the blank one")
	}
	// The core deleted the expired record.
	if _, err := e.store.SessionStore.FetchSession(context.Background(), narvik.SessionIDFromToken(token)); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("expired session still stored: %v", err)
	}
}

func TestInvalidCookieGetsBlankCookie(t *testing.T) {
	e := newEnv(t, envConfig{})
	for _, value := range []string{"not-a-token", strings.Repeat("a", narvik.TokenLength), ""} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/me", nil)
		req.AddCookie(&http.Cookie{Name: "narvik_session", Value: value})
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || !slices.Equal(resp.Header.Values("Set-Cookie"), []string{blankCookie}) {
			t.Fatalf("cookie %q: status %d, Set-Cookie %q", value, resp.StatusCode, resp.Header.Values("Set-Cookie"))
		}
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	token := e.signIn(c, "alice")
	other := e.client()
	e.signIn(other, "alice")

	res := e.do(c, "POST", "/signout", nil)
	wantStatus(t, "sign out", res, 200)
	if want := []string{blankCookie}; !slices.Equal(res.setCookie, want) {
		t.Fatalf("Set-Cookie %q, want %q", res.setCookie, want)
	}
	wantStatus(t, "after sign-out", e.do(c, "GET", "/me", nil), 401)
	if s, err := e.n.ValidateSession(context.Background(), token); s != nil || err != nil {
		t.Fatalf("token still valid after sign-out: %v %v", s, err)
	}
	wantStatus(t, "the other device", e.do(other, "GET", "/me", nil), 200)
}

func TestSignOutWhileExtendingSendsOneCookie(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	e.signIn(c, "alice")
	e.clock.Advance(thirtyDays / 2) // this request extends, then ends the session
	res := e.do(c, "POST", "/signout", nil)
	if want := []string{blankCookie}; !slices.Equal(res.setCookie, want) {
		t.Fatalf("Set-Cookie %q, want only %q", res.setCookie, want)
	}
}

func TestEndSessionOutsideMiddleware(t *testing.T) {
	e := newEnv(t, envConfig{})
	res, err := e.n.CreateSession(context.Background(), "alice", data{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", "/signout", nil)
	req.AddCookie(&http.Cookie{Name: "narvik_session", Value: res.Token})
	w := httptest.NewRecorder()
	if err := e.h.EndSession(w, req); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.n.ValidateSession(context.Background(), res.Token); s != nil {
		t.Fatal("EndSession without the middleware left the session valid")
	}
	if got := w.Header().Values("Set-Cookie"); !slices.Equal(got, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", got)
	}
}

func TestSignOutOthers(t *testing.T) {
	e := newEnv(t, envConfig{})
	a, b, c := e.client(), e.client(), e.client()
	e.signIn(a, "alice")
	e.signIn(b, "alice")
	e.signIn(c, "alice")
	bob := e.client()
	e.signIn(bob, "bob")

	res := e.do(a, "POST", "/signout-others", nil)
	wantStatus(t, "sign out others", res, 200)
	if len(res.setCookie) != 0 {
		t.Fatalf("signing out the others touched this device's cookie: %q", res.setCookie)
	}
	wantStatus(t, "this device", e.do(a, "GET", "/me", nil), 200)
	for name, cl := range map[string]*http.Client{"b": b, "c": c} {
		res := e.do(cl, "GET", "/me", nil)
		wantStatus(t, "device "+name, res, 401)
		if !slices.Equal(res.setCookie, []string{blankCookie}) {
			t.Fatalf("device %s: Set-Cookie %q", name, res.setCookie)
		}
	}
	wantStatus(t, "bob", e.do(bob, "GET", "/me", nil), 200)
}

func TestSignOutEverywhere(t *testing.T) {
	e := newEnv(t, envConfig{})
	a, b := e.client(), e.client()
	e.signIn(a, "alice")
	e.signIn(b, "alice")
	bob := e.client()
	e.signIn(bob, "bob")

	res := e.do(a, "POST", "/signout-everywhere", nil)
	wantStatus(t, "sign out everywhere", res, 200)
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
	wantStatus(t, "this device", e.do(a, "GET", "/me", nil), 401)
	wantStatus(t, "other device", e.do(b, "GET", "/me", nil), 401)
	wantStatus(t, "bob", e.do(bob, "GET", "/me", nil), 200)
}

func TestStoreFailureIsNeverSignedIn(t *testing.T) {
	var gotErr error
	for _, tc := range []struct {
		name   string
		opts   []narvikhttp.Option
		status int
	}{
		{"default handler", nil, 500},
		{"custom handler", []narvikhttp.Option{narvikhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			gotErr = err
			http.Error(w, "try later", http.StatusServiceUnavailable)
		})}, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envConfig{httpOpts: tc.opts})
			c := e.client()
			token := e.signIn(c, "alice")
			e.store.Fail(true)

			for _, method := range []string{"GET", "POST"} {
				path := map[string]string{"GET": "/me", "POST": "/action"}[method]
				res := e.do(c, method, path, nil)
				wantStatus(t, method+" with the store down", res, tc.status)
				if strings.Contains(res.body, "alice") || len(res.setCookie) != 0 {
					t.Fatalf("store failure answered body %q, Set-Cookie %q", res.body, res.setCookie)
				}
			}
			if n := e.reached.Load(); n != 0 {
				t.Fatalf("%d requests reached the app while the store was down", n)
			}
			if e.token(c) != token {
				t.Fatal("a store failure cleared the cookie")
			}
			e.store.Fail(false)
			wantStatus(t, "store back", e.do(c, "GET", "/me", nil), 200)
		})
	}
	if !errors.Is(gotErr, testkit.ErrDown) {
		t.Fatalf("the error handler got %v, want one wrapping the store's error", gotErr)
	}
}

func TestStoreFailureOnSignInSetsNoCookie(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	e.store.Fail(true)
	res := e.do(c, "POST", "/signin?user=alice", nil)
	wantStatus(t, "sign in with the store down", res, 500)
	if len(res.setCookie) != 0 {
		t.Fatalf("Set-Cookie %q on a failed sign-in", res.setCookie)
	}
}

func TestBearerTokens(t *testing.T) {
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithBearerTokens()}})
	created, err := e.n.CreateSession(context.Background(), "alice", data{Device: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	api := e.srv.Client() // no jar: an API client
	bearer := map[string]string{"Authorization": "Bearer " + created.Token, "Origin": "", "Sec-Fetch-Site": ""}

	res := e.do(api, "GET", "/me", bearer)
	wantStatus(t, "bearer GET", res, 200)
	if res.body != "user=alice device=cli" || len(res.setCookie) != 0 {
		t.Fatalf("bearer GET: body %q, Set-Cookie %q", res.body, res.setCookie)
	}
	// No Origin, no Sec-Fetch-Site: the CSRF check does not apply to bearer requests.
	wantStatus(t, "bearer POST without Origin", e.do(api, "POST", "/action", bearer), 200)
	lower := map[string]string{"Authorization": "bearer " + created.Token}
	wantStatus(t, "scheme is case-insensitive", e.do(api, "GET", "/me", lower), 200)

	bad := map[string]string{"Authorization": "Bearer " + strings.Repeat("a", narvik.TokenLength)}
	res = e.do(api, "GET", "/me", bad)
	wantStatus(t, "bad bearer", res, 401)
	if res.header.Get("WWW-Authenticate") != "Bearer" || len(res.setCookie) != 0 {
		t.Fatalf("bad bearer: WWW-Authenticate %q, Set-Cookie %q", res.header.Get("WWW-Authenticate"), res.setCookie)
	}

	// A Bearer header is judged alone: a valid cookie does not rescue a bad token.
	browser := e.client()
	e.signIn(browser, "alice")
	wantStatus(t, "bad bearer with a valid cookie", e.do(browser, "GET", "/me", bad), 401)
	if e.token(browser) == "" {
		t.Fatal("a bad bearer token cleared the cookie")
	}
	// Other schemes are not ours: the cookie is used.
	wantStatus(t, "Basic with a valid cookie", e.do(browser, "GET", "/me", map[string]string{"Authorization": "Basic eDp5"}), 200)

	// A store failure on a bearer request is a 500, never signed in.
	e.store.Fail(true)
	wantStatus(t, "bearer with the store down", e.do(api, "GET", "/me", bearer), 500)
}

func TestBearerTokensOffByDefault(t *testing.T) {
	e := newEnv(t, envConfig{})
	created, err := e.n.CreateSession(context.Background(), "alice", data{})
	if err != nil {
		t.Fatal(err)
	}
	res := e.do(e.srv.Client(), "GET", "/me", map[string]string{"Authorization": "Bearer " + created.Token})
	wantStatus(t, "bearer without WithBearerTokens", res, 401)
	if res.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("WWW-Authenticate %q without bearer tokens", res.header.Get("WWW-Authenticate"))
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	n, err := narvik.New[data](memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string][]narvikhttp.Option{
		"origin without scheme": {narvikhttp.WithTrustedOrigins("example.com")},
		"origin with path":      {narvikhttp.WithTrustedOrigins("https://example.com/app")},
		"origin with query":     {narvikhttp.WithTrustedOrigins("https://example.com?x")},
		"origin with user":      {narvikhttp.WithTrustedOrigins("https://u@example.com")},
		"nil error handler":     {narvikhttp.WithErrorHandler(nil)},
	} {
		if _, err := narvikhttp.New(n, opts...); !errors.Is(err, narvikhttp.ErrInvalidOption) {
			t.Errorf("%s: err %v, want ErrInvalidOption", name, err)
		}
	}
	if _, err := narvikhttp.New[data](nil); !errors.Is(err, narvikhttp.ErrInvalidOption) {
		t.Errorf("nil Narvik: err %v", err)
	}
	if _, err := narvikhttp.New(n, narvikhttp.WithTrustedOrigins("https://Example.com:443/", "http://localhost:3000"), nil); err != nil {
		t.Errorf("good origins: %v", err)
	}
}
