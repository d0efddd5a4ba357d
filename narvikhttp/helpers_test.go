package narvikhttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikhttp"
)

// data is the typed session data of the test app.
type data struct {
	Device string `json:"device"`
}

// env is a test app behind a real TLS server.
type env struct {
	t       *testing.T
	clock   *testkit.Clock
	store   *testkit.Store // over memstore
	n       *narvik.Narvik[data]
	h       *narvikhttp.Middleware[data]
	srv     *httptest.Server
	reached atomic.Int64 // requests that reached the app's handlers
}

type envConfig struct {
	narvikOpts []narvik.Option
	httpOpts   []narvikhttp.Option
	plainHTTP  bool
}

// newEnv starts the test app:
//
//	POST /signin?user=U     StartSession
//	GET  /me                RequireSession, answers "user=U device=D"
//	POST /action, any /any  RequireSession, answers "ok"
//	POST /signout           EndSession
//	POST /signout-others    invalidates the user's other sessions
//	POST /signout-everywhere DeleteSessionsForUser + ClearCookie
func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, clock: testkit.NewClock(time.Now()), store: testkit.Wrap(memstore.New())}
	n, err := narvik.New[data](e.store, append([]narvik.Option{narvik.WithClock(e.clock.Now)}, cfg.narvikOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := narvikhttp.New(n, cfg.httpOpts...)
	if err != nil {
		t.Fatal(err)
	}
	e.n, e.h = n, h

	mux := http.NewServeMux()
	fail := func(w http.ResponseWriter, err error) {
		http.Error(w, "app error: "+err.Error(), http.StatusInternalServerError)
	}
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		if _, err := h.StartSession(w, r, r.URL.Query().Get("user"), data{Device: r.UserAgent()}); err != nil {
			fail(w, err)
			return
		}
		io.WriteString(w, "signed in")
	})
	ok := func(w http.ResponseWriter, r *http.Request) {
		e.reached.Add(1)
		s, _ := narvikhttp.SessionFrom[data](r.Context())
		fmt.Fprintf(w, "user=%s device=%s", s.UserID, s.Data.Device)
	}
	mux.Handle("GET /me", h.RequireSession(http.HandlerFunc(ok)))
	mux.Handle("POST /action", h.RequireSession(http.HandlerFunc(ok)))
	mux.Handle("/any", h.RequireSession(http.HandlerFunc(ok)))
	mux.HandleFunc("POST /signout", func(w http.ResponseWriter, r *http.Request) {
		if err := h.EndSession(w, r); err != nil {
			fail(w, err)
			return
		}
		io.WriteString(w, "signed out")
	})
	mux.Handle("POST /signout-others", h.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := narvikhttp.SessionFrom[data](r.Context())
		all, err := n.FetchSessionsForUser(r.Context(), s.UserID)
		if err != nil {
			fail(w, err)
			return
		}
		for _, o := range all {
			if o.ID != s.ID {
				if err := n.InvalidateSession(r.Context(), o.ID); err != nil {
					fail(w, err)
					return
				}
			}
		}
		io.WriteString(w, "others signed out")
	})))
	mux.Handle("POST /signout-everywhere", h.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := narvikhttp.SessionFrom[data](r.Context())
		if err := n.DeleteSessionsForUser(r.Context(), s.UserID); err != nil {
			fail(w, err)
			return
		}
		h.ClearCookie(w)
		io.WriteString(w, "signed out everywhere")
	})))
	if cfg.plainHTTP {
		e.srv = httptest.NewServer(h.Wrap(mux))
	} else {
		e.srv = httptest.NewTLSServer(h.Wrap(mux))
	}
	t.Cleanup(e.srv.Close)
	return e
}

// client returns a new browser-like client with its own cookie jar: one
// device.
func (e *env) client() *http.Client {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := *e.srv.Client()
	c.Jar = jar
	return &c
}

// result is a response, read whole.
type result struct {
	status    int
	body      string
	setCookie []string
	header    http.Header
}

// do sends a request as a same-origin browser would (Sec-Fetch-Site and
// Origin set) unless headers say otherwise; a header given as "" is removed.
func (e *env) do(c *http.Client, method, path string, headers map[string]string) result {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("User-Agent", "test-device")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return result{status: resp.StatusCode, body: string(b), setCookie: resp.Header.Values("Set-Cookie"), header: resp.Header}
}

// signIn signs user in on c and returns the token the cookie carries.
func (e *env) signIn(c *http.Client, user string) string {
	e.t.Helper()
	res := e.do(c, "POST", "/signin?user="+user, nil)
	if res.status != 200 || len(res.setCookie) != 1 {
		e.t.Fatalf("sign in: status %d, Set-Cookie %q, body %q", res.status, res.setCookie, res.body)
	}
	return e.token(c)
}

// token returns the session token in c's jar, or "".
func (e *env) token(c *http.Client) string {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL, nil)
	for _, ck := range c.Jar.Cookies(req.URL) {
		if ck.Name == e.n.CookieName() {
			return ck.Value
		}
	}
	return ""
}

// wantStatus fails the test unless res has the status.
func wantStatus(t *testing.T, what string, res result, status int) {
	t.Helper()
	if res.status != status {
		t.Fatalf("%s: status %d, want %d (body %q)", what, res.status, status, strings.TrimSpace(res.body))
	}
}

const (
	blankCookie = "narvik_session=; Max-Age=0; Path=/; SameSite=Lax; Secure; HttpOnly"
	thirtyDays  = 30 * 24 * time.Hour
)

func sessionCookie(token string) string {
	return "narvik_session=" + token + "; Max-Age=2592000; Path=/; SameSite=Lax; Secure; HttpOnly"
}
