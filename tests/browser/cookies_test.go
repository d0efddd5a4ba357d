package browser

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikhttp"
)

// TestSecureCookieOverPlainHTTP is the newcomer's app, built as README
// says with the default (Secure) cookie and the recommended __Host- name,
// served over plain HTTP. On http://myapp.test Chromium drops the cookie,
// so sign-in "succeeds" and the user is still signed out: the middleware
// must say so in the log. On http://localhost, which Chromium treats as
// secure, the same cookie works: the development setup README recommends.
func TestSecureCookieOverPlainHTTP(t *testing.T) {
	var logs testkit.LogBuffer
	n, err := narvik.New[struct{}](memstore.New(), narvik.WithCookieHostPrefix())
	if err != nil {
		t.Fatal(err)
	}
	m, err := narvikhttp.New(n, narvikhttp.WithLogger(logs.Logger()))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><form method="post" action="/signin"><button id="go">Sign in</button></form>`)
	})
	mux.HandleFunc("POST /signin", func(w http.ResponseWriter, r *http.Request) {
		if _, err := m.StartSession(w, r, "alice", struct{}{}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	})
	mux.Handle("GET /me", m.RequireSessionFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := m.Session(r)
		fmt.Fprintf(w, "signed in as %s", s.UserID)
	}))
	srv := httptest.NewServer(m.Wrap(mux))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]

	tab := browser(t, 90*time.Second)
	signIn := func(base string) string {
		t.Helper()
		if err := chromedp.Do(tab,
			chromedp.Navigate(base+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#go`)),
			chromedp.Click(chromedp.CSS(`#go`)),
		); err != nil {
			t.Fatalf("sign in on %s: %v", base, err)
		}
		var body string
		if !waitFor(func() bool {
			at, err := chromedp.Run(tab, chromedp.Location())
			if err != nil || !strings.HasSuffix(at, "/me") {
				return false
			}
			body, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
			return err == nil && body != ""
		}) {
			t.Fatalf("sign in on %s never reached /me", base)
		}
		return strings.TrimSpace(body)
	}

	const warning = "the session cookie is Secure, but this request came over plain HTTP"
	plain := "http://myapp.test" + port
	if body := signIn(plain); body != "Unauthorized" {
		t.Fatalf("on %s after sign-in: %q; want Unauthorized (Chromium drops a Secure cookie there)", plain, body)
	}
	if cs, err := chromedp.Run(tab, cookies(plain)); err != nil || len(cs) != 0 {
		t.Fatalf("cookies on %s: %+v, %v; want none", plain, cs, err)
	}
	if log := logs.String(); strings.Count(log, warning) != 1 || !strings.Contains(log, "host=myapp.test"+port) {
		t.Fatalf("log after the silent failure: %q; want the warning once, naming the host", log)
	}

	local := "http://localhost" + port
	if body := signIn(local); body != "signed in as alice" {
		t.Fatalf("on %s after sign-in: %q", local, body)
	}
	cs, err := chromedp.Run(tab, cookies(local))
	if err != nil || len(cs) != 1 || cs[0].Name != "__Host-narvik_session" || !cs[0].Secure || !cs[0].HTTPOnly {
		t.Fatalf("cookies on %s: %+v, %v; want one Secure __Host- cookie", local, cs, err)
	}
	if strings.Count(logs.String(), warning) != 1 {
		t.Fatalf("localhost was warned about: %q", logs.String())
	}
}
