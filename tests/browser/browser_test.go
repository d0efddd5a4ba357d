// Package browser drives the demo web app in a real headless Chromium. It
// is its own module so that the library's go.mod never requires chromedp.
//
//	cd tests/browser && go test -race ./...
//
// The browser is found at $NARVIK_CHROMIUM, else chromium, chromium-browser
// or google-chrome on PATH (Debian: apt-get install -y chromium). When none
// is there the test is skipped, except under CI (CI=true), where it fails.
package browser

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/examples/webapp/app"
	"github.com/narvik-go/narvik/internal/testenv"
)

func findChromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("NARVIK_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Missing(t, "no Chromium found: apt-get install -y chromium, or set NARVIK_CHROMIUM")
	return ""
}

// browser starts a fresh headless Chromium with its own profile and returns
// its tab's context. The whole browser lives at most timeout: the context of
// its first Run bounds it.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		// myapp.test is a plain-HTTP host name that is not localhost, as a
		// developer's /etc/hosts entry would make it.
		chromedp.Flag("host-resolver-rules", "MAP myapp.test 127.0.0.1"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	return tab
}

// cookies returns the browser's cookies for u.
func cookies(u string) chromedp.Action[[]*network.Cookie] {
	return func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
		return res.Cookies, err
	}
}

func TestSignInAndSessionsPage(t *testing.T) {
	store := memstore.New()
	a, err := app.New(app.Config{Store: store, PasswordIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	defer srv.Close()
	// Another origin on the same site (same IP, other port): SameSite=Lax
	// cookies go along with its POSTs, so only the CSRF check stops them.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s/signout-everywhere"><button id="go">win a prize</button></form>`, srv.URL)
	}))
	defer evil.Close()

	tab := browser(t, 90*time.Second)
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tab, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	jar := func() []*network.Cookie {
		t.Helper()
		cs, err := chromedp.Run(tab, cookies(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}

	// Sign in through the form.
	do("sign in",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "wonderland"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.badge`)),
	)
	if at, h1 := location(), text("h1"); at != srv.URL+"/sessions" || h1 != "This session" {
		t.Fatalf("after sign-in: at %q, heading %q", at, h1)
	}
	list := text(".sessions")
	if !strings.Contains(list, "This device") || !strings.Contains(list, "Headless Chrome") || !strings.Contains(list, "127.0.0.1") {
		t.Fatalf("sessions list: %q", list)
	}

	// The cookie as the browser keeps it.
	cs := jar()
	if len(cs) != 1 || cs[0].Name != "narvik_session" || !cs[0].HTTPOnly || cs[0].SameSite != network.CookieSameSiteLax || cs[0].Session {
		t.Fatalf("cookies: %+v", cs)
	}
	browserToken := cs[0].Value

	// A second device signs in; the page lists it.
	phone := signInOverHTTP(t, srv.URL, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile Safari/604.1")
	do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.badge`)))
	if count, list := text(".count"), text(".sessions"); count != "2" || !strings.Contains(list, "Safari on iPhone") {
		t.Fatalf("with two devices: count %q, list %q", count, list)
	}
	screenshot(t, tab, "sessions.png")

	// On a phone-sized screen nothing overflows sideways.
	do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.badge`)))
	fits, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
	if err != nil || !fits {
		t.Fatalf("the sessions page overflows a 390px screen (%v)", err)
	}
	screenshot(t, tab, "sessions-phone.png")
	do("desktop viewport", chromedp.ResetViewport())

	// A same-site page posts to sign-out-everywhere: the browser sends the
	// cookie, the CSRF check refuses, and nobody is signed out.
	do("cross-origin form",
		chromedp.Navigate(evil.URL),
		chromedp.Click(chromedp.CSS(`#go`)),
	)
	if !waitFor(func() bool {
		return location() == srv.URL+"/signout-everywhere" && strings.Contains(text("body"), "Forbidden")
	}) {
		t.Fatalf("cross-origin POST: at %q", location())
	}
	if !valid(t, store, browserToken) || !valid(t, store, phone) {
		t.Fatal("the cross-origin POST signed someone out")
	}

	// "Sign out all other sessions" ends the phone's session, not this one.
	do("sign out others",
		chromedp.Navigate(srv.URL+"/sessions"),
		chromedp.WaitVisible(chromedp.CSS(`.badge`)),
		chromedp.Click(chromedp.CSS(`form[action="/signout-others"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if notice, count := text(".notice"), text(".count"); notice != "Every other session is signed out." || count != "1" {
		t.Fatalf("after sign-out-others: notice %q, count %q", notice, count)
	}
	if valid(t, store, phone) || !valid(t, store, browserToken) {
		t.Fatal("sign out others ended the wrong session")
	}

	// "Sign out" ends this one and lands on the sign-in page.
	do("sign out",
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
	)
	if at, notice := location(), text(".notice"); !strings.HasSuffix(at, "/signin?m=signed-out") || notice != "You are signed out on this device." {
		t.Fatalf("after sign-out: at %q, notice %q", at, notice)
	}
	if valid(t, store, browserToken) {
		t.Fatal("the browser's session survived sign-out")
	}
	if cs := jar(); len(cs) != 0 {
		t.Fatalf("cookies after sign-out: %+v", cs)
	}
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// signInOverHTTP signs alice in as another device and returns its token.
func signInOverHTTP(t *testing.T, base, ua string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"username": {"alice"}, "password": {"wonderland"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.Header.Set("User-Agent", ua)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == "narvik_session" && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("phone sign-in: %d, no cookie", resp.StatusCode)
	return ""
}

func valid(t *testing.T, store narvik.SessionStore, token string) bool {
	t.Helper()
	n, err := narvik.New[app.SessionData](store)
	if err != nil {
		t.Fatal(err)
	}
	s, err := n.ValidateSession(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return s != nil
}

// screenshot saves a full-page PNG to $NARVIK_SCREENSHOT_DIR, when set, to
// look at the page as a person would.
func screenshot(t *testing.T, tab context.Context, name string) {
	dir := os.Getenv("NARVIK_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
