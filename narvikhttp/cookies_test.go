package narvikhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikhttp"
)

// plant puts a session cookie into c's jar as another host of the site
// could: with a more specific Path, so the browser sends it first.
func (e *env) plant(c *http.Client, path, value string) {
	e.t.Helper()
	u, err := url.Parse(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	c.Jar.SetCookies(u, []*http.Cookie{{Name: e.n.CookieName(), Value: value, Path: path, Secure: true}})
}

// TestDuplicateSessionCookies: a request may carry several session cookies
// (one planted by a sibling subdomain or with a narrower Path, an old one,
// junk). An unknown duplicate never signs the browser out or gets the
// blank cookie that would delete the real one; valid sessions of two
// different users sign nobody in.
func TestDuplicateSessionCookies(t *testing.T) {
	var logs testkit.LogBuffer
	e := newEnv(t, envConfig{httpOpts: []narvikhttp.Option{narvikhttp.WithLogger(logs.Logger())}})
	wellFormedUnknown := strings.Repeat("a", narvik.TokenLength)
	for name, planted := range map[string]string{"junk": "junk", "unknown token": wellFormedUnknown} {
		c := e.client()
		token := e.signIn(c, "alice")
		e.plant(c, "/me", planted) // sent first on /me
		res := e.do(c, "GET", "/me", nil)
		wantStatus(t, name+" planted before the real cookie", res, 200)
		if res.body != "user=alice device=test-device" || len(res.setCookie) != 0 {
			t.Fatalf("%s planted: body %q, Set-Cookie %q; want alice and no cookie change", name, res.body, res.setCookie)
		}
		if e.token(c) != token {
			t.Fatalf("%s planted: the real cookie is gone", name)
		}
	}

	// The attacker's own valid session, planted next to the victim's.
	victim := e.client()
	e.signIn(victim, "victim")
	mallory, err := e.n.CreateSession(context.Background(), "mallory", data{Device: "mallory"})
	if err != nil {
		t.Fatal(err)
	}
	e.plant(victim, "/me", mallory.Token)
	res := e.do(victim, "GET", "/me", nil)
	wantStatus(t, "valid sessions of two users", res, 401)
	if strings.Contains(res.body, "mallory") || len(res.setCookie) != 0 {
		t.Fatalf("two users' cookies: body %q, Set-Cookie %q; want nobody signed in and no cookie change", res.body, res.setCookie)
	}
	if !strings.Contains(logs.String(), "session cookies of different users") {
		t.Fatalf("no warning logged for two users' cookies; log: %q", logs.String())
	}
	// Signing out where both are sent ends both sessions.
	e.plant(victim, "/signout", mallory.Token)
	wantStatus(t, "sign out with two users' cookies", e.do(victim, "POST", "/signout", nil), 200)
	if s, _ := e.n.ValidateSession(context.Background(), mallory.Token); s != nil {
		t.Fatal("the planted session survived the sign-out")
	}

	// Raw Cookie headers, for what a jar would not produce.
	api := e.srv.Client()
	alice1, _ := e.n.CreateSession(context.Background(), "alice", data{Device: "one"})
	alice2, _ := e.n.CreateSession(context.Background(), "alice", data{Device: "two"})
	cookies := func(values ...string) map[string]string {
		var parts []string
		for _, v := range values {
			parts = append(parts, "narvik_session="+v)
		}
		return map[string]string{"Cookie": strings.Join(parts, "; ")}
	}
	for _, c := range []struct {
		name    string
		values  []string
		status  int
		body    string
		cleared bool
	}{
		{"valid, then junk", []string{alice1.Token, "junk"}, 200, "user=alice device=one", false},
		{"empty, then valid", []string{"", alice1.Token}, 200, "user=alice device=one", false},
		{"the same valid token twice", []string{alice1.Token, alice1.Token}, 200, "user=alice device=one", false},
		{"two sessions of one user", []string{alice2.Token, alice1.Token}, 200, "user=alice device=two", false},
		{"only junk", []string{"junk", wellFormedUnknown}, 401, "", true},
		{"only an empty value", []string{""}, 401, "", true},
		{"more candidates than are looked at", []string{"j1", "j2", "j3", "j4", alice1.Token}, 401, "", false},
	} {
		res := e.do(api, "GET", "/me", cookies(c.values...))
		wantStatus(t, c.name, res, c.status)
		if c.body != "" && res.body != c.body {
			t.Errorf("%s: body %q, want %q", c.name, res.body, c.body)
		}
		if cleared := slices.Equal(res.setCookie, []string{blankCookie}); cleared != c.cleared || (!c.cleared && len(res.setCookie) != 0) {
			t.Errorf("%s: Set-Cookie %q, want the blank cookie: %v", c.name, res.setCookie, c.cleared)
		}
	}

	// An extension re-sets the valid cookie, not the junk one.
	e.clock.Advance(thirtyDays / 2)
	res = e.do(api, "GET", "/me", cookies("junk", alice1.Token))
	if want := []string{sessionCookie(alice1.Token)}; res.status != 200 || !slices.Equal(res.setCookie, want) {
		t.Fatalf("extension with a junk duplicate: status %d, Set-Cookie %q, want %q", res.status, res.setCookie, want)
	}
}

// TestSignInEndsPlantedSessions: signing in ends every session the
// request's cookies name, so planted sessions stop counting, even when
// the middleware could not choose between them.
func TestSignInEndsPlantedSessions(t *testing.T) {
	e := newEnv(t, envConfig{})
	c := e.client()
	var planted []string
	for i, path := range []string{"/", "/signin"} {
		res, err := e.n.CreateSession(context.Background(), fmt.Sprint("mallory", i), data{})
		if err != nil {
			t.Fatal(err)
		}
		e.plant(c, path, res.Token)
		planted = append(planted, res.Token)
	}
	e.signIn(c, "alice")
	for _, token := range planted {
		if s, _ := e.n.ValidateSession(context.Background(), token); s != nil {
			t.Fatalf("the planted session of %s survived the sign-in", s.UserID)
		}
	}
}

// TestWrongDataTypeIsLoud: SessionFrom with another data type than the
// middleware's is a programming error that once looked like "signed out".
func TestWrongDataTypeIsLoud(t *testing.T) {
	n, err := narvik.New[data](memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	var m *narvikhttp.Middleware[data]
	if m, err = narvikhttp.New(n); err != nil {
		t.Fatal(err)
	}
	var old *narvikhttp.Handler[data] = m // the deprecated name still works
	res, err := n.CreateSession(context.Background(), "alice", data{Device: "d"})
	if err != nil {
		t.Fatal(err)
	}
	var panicked any
	var inferred *narvik.Session[data]
	h := m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inferred, _ = old.Session(r)
		defer func() { panicked = recover() }()
		narvikhttp.SessionFrom[struct{ Device string }](r.Context())
	}))
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: narvik.DefaultCookieName, Value: res.Token})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if inferred == nil || inferred.UserID != "alice" || inferred.Data.Device != "d" {
		t.Fatalf("Middleware.Session = %+v", inferred)
	}
	msg, _ := panicked.(string)
	if !strings.Contains(msg, "narvikhttp_test.data") || !strings.Contains(msg, "struct { Device string }") {
		t.Fatalf("SessionFrom with the wrong type: recovered %v; want a panic naming both types", panicked)
	}

	// Without the middleware, or without a session, any type is "none".
	if s, ok := narvikhttp.SessionFrom[int](context.Background()); ok || s != nil {
		t.Fatal("a session without the middleware")
	}
}

// TestTwoMiddlewaresOfDifferentTypes: nested middlewares with different
// data types each find their own session.
func TestTwoMiddlewaresOfDifferentTypes(t *testing.T) {
	type other struct{ N int }
	store := memstore.New()
	n1, _ := narvik.New[data](store)
	n2, _ := narvik.New[other](store, narvik.WithCookieName("other"))
	m1, _ := narvikhttp.New(n1)
	m2, _ := narvikhttp.New(n2)
	r1, _ := n1.CreateSession(context.Background(), "alice", data{Device: "d"})
	r2, _ := n2.CreateSession(context.Background(), "bob", other{N: 7})
	var got1 *narvik.Session[data]
	var got2 *narvik.Session[other]
	h := m1.Wrap(m2.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got1, _ = m1.Session(r)
		got2, _ = m2.Session(r)
	})))
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(&http.Cookie{Name: n1.CookieName(), Value: r1.Token})
	req.AddCookie(&http.Cookie{Name: n2.CookieName(), Value: r2.Token})
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got1 == nil || got1.UserID != "alice" || got2 == nil || got2.Data.N != 7 {
		t.Fatalf("sessions %+v and %+v", got1, got2)
	}
}

// TestResponsesWithTheCookieArePrivate: whenever the session cookie rides
// on a response, shared caches may not store it, whatever the handler set
// and whenever it set it.
func TestResponsesWithTheCookieArePrivate(t *testing.T) {
	n, err := narvik.New[data](memstore.New(), narvik.WithCookieSecure(false))
	if err != nil {
		t.Fatal(err)
	}
	m, err := narvikhttp.New(n, narvikhttp.WithoutCSRF())
	if err != nil {
		t.Fatal(err)
	}
	token := ""
	srv := httptest.NewServer(m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if v := q.Get("before"); v != "" {
			w.Header().Set("Cache-Control", v)
		}
		if q.Has("signin") {
			if _, err := m.StartSession(w, r, "alice", data{}); err != nil {
				t.Error(err)
			}
		}
		if v := q.Get("after"); v != "" {
			w.Header().Set("Cache-Control", v)
		}
		if !q.Has("silent") {
			io.WriteString(w, "ok")
		}
	})))
	defer srv.Close()
	get := func(query string, cookie bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+"/?"+query, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: n.CookieName(), Value: token})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for _, c := range []struct{ query, want string }{
		{"signin", "private"},
		{"signin&silent", "private"},
		{"signin&before=public,+max-age=600", "private, max-age=600"},
		{"signin&after=public,+max-age=600", "private, max-age=600"},
		{"signin&after=max-age=60,+s-maxage=3600,+PUBLIC", "private, max-age=60"},
		{"signin&after=no-cache", "private, no-cache"},
		{"signin&after=private=\"Set-Cookie\",+max-age=5", "private, max-age=5"},
		{"signin&after=no-store", "no-store"},
		{"signin&before=private,+max-age=5", "private, max-age=5"},
		{"after=public,+max-age=600", "public, max-age=600"}, // no cookie: not ours to change
	} {
		resp := get(c.query, false)
		if got := strings.Join(resp.Header.Values("Cache-Control"), ", "); got != c.want {
			t.Errorf("%s: Cache-Control %q, want %q (Set-Cookie %q)", c.query, got, c.want, resp.Header.Values("Set-Cookie"))
		}
		if c.query == "signin" {
			for _, ck := range resp.Cookies() {
				token = ck.Value
			}
		}
	}
	// The middleware's own cookie changes too: the blank cookie for an
	// invalid token, and the re-set cookie of an extension.
	token = "junk"
	if resp := get("after=public", true); resp.Header.Get("Cache-Control") != "private" || len(resp.Header.Values("Set-Cookie")) != 1 {
		t.Errorf("blank cookie: Cache-Control %q, Set-Cookie %q", resp.Header.Get("Cache-Control"), resp.Header.Values("Set-Cookie"))
	}
}

// TestSecureCookieOverPlainHTTPIsLogged: a Secure cookie sent over plain
// HTTP to a host that is not localhost is dropped by browsers, and the
// user stays signed out with nothing said. The middleware says it, once.
func TestSecureCookieOverPlainHTTPIsLogged(t *testing.T) {
	const warning = "the session cookie is Secure, but this request came over plain HTTP"
	signIn := func(t *testing.T, narvikOpts []narvik.Option, plain bool, host string, headers map[string]string) string {
		t.Helper()
		var logs testkit.LogBuffer
		e := newEnv(t, envConfig{plainHTTP: plain, narvikOpts: narvikOpts, httpOpts: []narvikhttp.Option{narvikhttp.WithLogger(logs.Logger())}})
		for range 3 {
			req, _ := http.NewRequest("POST", e.srv.URL+"/signin?user=alice", nil)
			if host != "" {
				req.Host = host
			}
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || len(resp.Header.Values("Set-Cookie")) != 1 {
				t.Fatalf("sign-in: status %d, Set-Cookie %q", resp.StatusCode, resp.Header.Values("Set-Cookie"))
			}
		}
		return logs.String()
	}

	log := signIn(t, nil, true, "myapp.test:8080", nil)
	if strings.Count(log, warning) != 1 || !strings.Contains(log, "WithCookieSecure(false)") || !strings.Contains(log, "host=myapp.test:8080") {
		t.Fatalf("three sign-ins over http://myapp.test logged %q; want the warning exactly once, naming the host and the fix", log)
	}
	for name, c := range map[string]struct {
		opts    []narvik.Option
		plain   bool
		host    string
		headers map[string]string
	}{
		"over TLS":               {host: "myapp.test"},
		"localhost":              {plain: true, host: "localhost:8080"},
		"a .localhost name":      {plain: true, host: "app.localhost"},
		"127.0.0.1":              {plain: true},
		"[::1]":                  {plain: true, host: "[::1]:8080"},
		"behind a TLS proxy":     {plain: true, host: "myapp.test", headers: map[string]string{"X-Forwarded-Proto": "https"}},
		"Forwarded: proto=https": {plain: true, host: "myapp.test", headers: map[string]string{"Forwarded": "for=192.0.2.1;proto=https"}},
		"Secure off":             {opts: []narvik.Option{narvik.WithCookieSecure(false)}, plain: true, host: "myapp.test"},
	} {
		if log := signIn(t, c.opts, c.plain, c.host, c.headers); strings.Contains(log, warning) {
			t.Errorf("%s: warned %q", name, log)
		}
	}
}

func TestNilLoggerDiscards(t *testing.T) {
	n, err := narvik.New[data](memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	m, err := narvikhttp.New(n, narvikhttp.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://myapp.test/", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if _, err := m.StartSession(httptest.NewRecorder(), req, "alice", data{}); err != nil {
		t.Fatal(err)
	}
}
