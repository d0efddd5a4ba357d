package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/examples/webapp/app"
	"github.com/narvik-go/narvik/internal/testkit"
)

const (
	thirtyDays  = 30 * 24 * time.Hour
	blankCookie = "narvik_session=; Max-Age=0; Path=/; SameSite=Lax; HttpOnly"
)

// quiet drops the app's error log; the tests assert on responses.
var quiet = slog.New(slog.DiscardHandler)

func sessionCookie(token string) string {
	return "narvik_session=" + token + "; Max-Age=2592000; Path=/; SameSite=Lax; HttpOnly"
}

// env is the app behind a real HTTP server, as `go run ./examples/webapp`
// serves it (plain HTTP, cookies not Secure).
type env struct {
	t     *testing.T
	clock *testkit.Clock
	store *testkit.Store
	srv   *httptest.Server
	app   *app.App
	// n reads the same store with the same clock, to check what is stored.
	n *narvik.Narvik[app.SessionData]
}

func newEnv(t *testing.T, secure bool) *env {
	t.Helper()
	return startEnv(t, app.Config{SecureCookies: secure, DemoAccounts: app.DemoAccountsOn}, secure)
}

// startEnv serves an app with cfg (Store, Now, PasswordIterations and
// Logger filled in when unset) over plain HTTP on 127.0.0.1, or over TLS.
func startEnv(t *testing.T, cfg app.Config, tls bool) *env {
	t.Helper()
	e := &env{t: t, clock: testkit.NewClock(time.Now()), store: testkit.Wrap(memstore.New())}
	cfg.Store = e.store
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	if cfg.PasswordIterations == 0 {
		cfg.PasswordIterations = 1000
	}
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	a, err := app.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.app = a
	if tls {
		e.srv = httptest.NewTLSServer(a)
	} else {
		e.srv = httptest.NewServer(a)
	}
	t.Cleanup(e.srv.Close)
	if e.n, err = narvik.New[app.SessionData](e.store, narvik.WithClock(cfg.Now)); err != nil {
		t.Fatal(err)
	}
	return e
}

// device is one browser: its own cookie jar and User-Agent. It does not
// follow redirects, so each response's Set-Cookie can be checked.
type device struct {
	e      *env
	ua     string
	client *http.Client
}

func (e *env) device(ua string) *device {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := *e.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &device{e: e, ua: ua, client: &c}
}

type response struct {
	status    int
	location  string
	body      string
	setCookie []string
	header    http.Header
}

// do sends a request as a browser on this site does: Sec-Fetch-Site
// same-origin and Origin on POST, unless headers override ("" removes;
// "Host" sets the Host header, the connection still goes to the server).
func (d *device) do(method, path string, form url.Values, headers map[string]string) response {
	d.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, d.e.srv.URL+path, body)
	if err != nil {
		d.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", d.ua)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if method == "POST" {
		req.Header.Set("Origin", d.e.srv.URL)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := d.client.Do(req)
	if err != nil {
		d.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		d.e.t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Location"), string(b), resp.Header.Values("Set-Cookie"), resp.Header}
}

func (d *device) get(path string) response { return d.do("GET", path, nil, nil) }

func (d *device) post(path string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	return d.do("POST", path, form, nil)
}

func (d *device) signIn(user, password string) response {
	return d.post("/signin", url.Values{"username": {user}, "password": {password}})
}

// mustSignIn signs in as alice and returns the session token.
func (d *device) mustSignIn(user, password string) string {
	d.e.t.Helper()
	res := d.signIn(user, password)
	if res.status != http.StatusSeeOther || res.location != "/sessions" || len(res.setCookie) != 1 {
		d.e.t.Fatalf("sign in: %d to %q, Set-Cookie %q, body %q", res.status, res.location, res.setCookie, res.body)
	}
	return d.token()
}

func (d *device) token() string {
	u, _ := url.Parse(d.e.srv.URL)
	for _, c := range d.client.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "narvik_session") {
			return c.Value
		}
	}
	return ""
}

func want(t *testing.T, what string, res response, status int, location string) {
	t.Helper()
	if res.status != status || res.location != location {
		t.Fatalf("%s: %d to %q, want %d to %q (body %.200q)", what, res.status, res.location, status, location, res.body)
	}
}

const (
	uaLaptop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	uaPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
	uaTablet = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)

func TestSignIn(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	want(t, "sessions page signed out", d.get("/sessions"), 303, "/signin")
	want(t, "home signed out", d.get("/"), 303, "/signin")

	for _, bad := range [][2]string{{"alice", "wrong"}, {"nobody", "wonderland"}, {"", ""}} {
		res := d.signIn(bad[0], bad[1])
		want(t, "sign in as "+bad[0]+"/"+bad[1], res, 401, "")
		if len(res.setCookie) != 0 || !strings.Contains(res.body, "Wrong username or password.") {
			t.Fatalf("failed sign-in: Set-Cookie %q, body %.300q", res.setCookie, res.body)
		}
	}

	res := d.signIn("alice", "wonderland")
	want(t, "sign in", res, 303, "/sessions")
	token := d.token()
	if !slices.Equal(res.setCookie, []string{sessionCookie(token)}) {
		t.Fatalf("Set-Cookie %q, want %q", res.setCookie, sessionCookie(token))
	}
	want(t, "home signed in", d.get("/"), 303, "/sessions")
	want(t, "sign-in page signed in", d.get("/signin"), 303, "/sessions")

	page := d.get("/sessions")
	want(t, "sessions page", page, 200, "")
	for _, s := range []string{"Signed in as <strong>alice</strong>", "Chrome on Linux", "127.0.0.1", "This device", uaLaptop[:40]} {
		if !strings.Contains(page.body, s) {
			t.Errorf("sessions page lacks %q", s)
		}
	}
	if page.header.Get("Cache-Control") != "no-store" {
		t.Errorf("sessions page Cache-Control %q", page.header.Get("Cache-Control"))
	}

	// IP and User-Agent are in the typed session data.
	s, err := e.n.ValidateSession(context.Background(), token)
	if err != nil || s == nil {
		t.Fatalf("validate: %v %v", s, err)
	}
	if s.UserID != "demo-alice" || s.Data != (app.SessionData{IP: "127.0.0.1", UserAgent: uaLaptop}) {
		t.Fatalf("stored session %+v", s)
	}
}

func TestSessionsPageListsEveryDevice(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone, tablet := e.device(uaLaptop), e.device(uaPhone), e.device(uaTablet)
	laptop.mustSignIn("alice", "wonderland")
	e.clock.Advance(time.Minute)
	phone.mustSignIn("alice", "wonderland")
	e.clock.Advance(time.Minute)
	tablet.mustSignIn("bob", "canwefixit")

	body := phone.get("/sessions").body
	if n := strings.Count(body, `<li class="session`); n != 2 {
		t.Fatalf("alice's page lists %d sessions, want 2", n)
	}
	if n := strings.Count(body, `class="badge">This device`); n != 1 {
		t.Fatalf("%d sessions marked this device", n)
	}
	current := body[strings.Index(body, `<li class="session current">`):]
	current = current[:strings.Index(current, "</li>")]
	if !strings.Contains(current, "Safari on iPhone") || strings.Contains(current, "Sign out this session") {
		t.Fatalf("this device's row: %s", current)
	}
	if !strings.Contains(body, "Chrome on Linux") || strings.Contains(body, "Android") {
		t.Fatal("the page must list alice's laptop and not bob's tablet")
	}
	if !strings.Contains(body, `<span class="count">2</span>`) {
		t.Fatal("count is not 2")
	}
}

func TestCookieReSetOnExtension(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	token := d.mustSignIn("alice", "wonderland")

	e.clock.Advance(thirtyDays/2 - time.Second)
	res := d.get("/sessions")
	if res.status != 200 || len(res.setCookie) != 0 {
		t.Fatalf("before half-life: %d, Set-Cookie %q", res.status, res.setCookie)
	}
	e.clock.Advance(time.Second)
	res = d.get("/sessions")
	if res.status != 200 || !slices.Equal(res.setCookie, []string{sessionCookie(token)}) {
		t.Fatalf("at half-life: %d, Set-Cookie %q, want %q", res.status, res.setCookie, sessionCookie(token))
	}
	newExpiry := e.clock.Now().Add(thirtyDays).UTC().Format(time.RFC3339)
	if !strings.Contains(res.body, newExpiry) {
		t.Fatalf("page does not show the new expiry %s", newExpiry)
	}
}

func TestExpiredSession(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	d.mustSignIn("alice", "wonderland")
	e.clock.Advance(thirtyDays)
	res := d.get("/sessions")
	// A browser drops an expired cookie by itself; this one was kept.
	want(t, "expired", res, 303, "/signin?m=ended")
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q, want exactly %q", res.setCookie, blankCookie)
	}
	if d.token() != "" {
		t.Fatal("cookie still in the jar")
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t, false)
	d, other := e.device(uaLaptop), e.device(uaPhone)
	token := d.mustSignIn("alice", "wonderland")
	other.mustSignIn("alice", "wonderland")

	res := d.post("/signout", nil)
	want(t, "sign out", res, 303, "/signin?m=signed-out")
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
	if s, _ := e.n.ValidateSession(context.Background(), token); s != nil {
		t.Fatal("session still valid")
	}
	if page := d.get("/signin?m=signed-out"); !strings.Contains(page.body, "You are signed out on this device.") {
		t.Fatal("no notice after sign-out")
	}
	want(t, "this device", d.get("/sessions"), 303, "/signin")
	want(t, "the other device", other.get("/sessions"), 200, "")
}

func TestSignOutOthers(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone, tablet, bob := e.device(uaLaptop), e.device(uaPhone), e.device(uaTablet), e.device(uaLaptop)
	laptop.mustSignIn("alice", "wonderland")
	phone.mustSignIn("alice", "wonderland")
	tablet.mustSignIn("alice", "wonderland")
	bob.mustSignIn("bob", "canwefixit")

	res := laptop.post("/signout-others", nil)
	want(t, "sign out others", res, 303, "/sessions?m=others")
	if len(res.setCookie) != 0 {
		t.Fatalf("Set-Cookie %q on this device", res.setCookie)
	}
	page := laptop.get("/sessions?m=others")
	if page.status != 200 || strings.Count(page.body, `<li class="session`) != 1 || !strings.Contains(page.body, "Every other session is signed out.") {
		t.Fatalf("page after sign-out-others: %d %.500q", page.status, page.body)
	}
	for _, d := range []*device{phone, tablet} {
		res := d.get("/sessions")
		want(t, "signed-out device", res, 303, "/signin?m=ended")
		if !slices.Equal(res.setCookie, []string{blankCookie}) {
			t.Fatalf("signed-out device: Set-Cookie %q", res.setCookie)
		}
	}
	want(t, "bob", bob.get("/sessions"), 200, "")
}

func TestSignOutEverywhere(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone, bob := e.device(uaLaptop), e.device(uaPhone), e.device(uaLaptop)
	laptop.mustSignIn("alice", "wonderland")
	phone.mustSignIn("alice", "wonderland")
	bob.mustSignIn("bob", "canwefixit")

	res := laptop.post("/signout-everywhere", nil)
	want(t, "sign out everywhere", res, 303, "/signin?m=everywhere")
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
	want(t, "laptop", laptop.get("/sessions"), 303, "/signin")
	want(t, "phone", phone.get("/sessions"), 303, "/signin?m=ended")
	want(t, "bob", bob.get("/sessions"), 200, "")
	if all, err := e.n.FetchSessionsForUser(context.Background(), "demo-alice"); err != nil || len(all) != 0 {
		t.Fatalf("alice still has %d sessions (%v)", len(all), err)
	}
}

func TestRevokeOneSession(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone, bob := e.device(uaLaptop), e.device(uaPhone), e.device(uaLaptop)
	laptop.mustSignIn("alice", "wonderland")
	phoneToken := phone.mustSignIn("alice", "wonderland")
	bobToken := bob.mustSignIn("bob", "canwefixit")

	// Another user's session ID does nothing.
	want(t, "revoke bob's", laptop.post("/sessions/revoke", url.Values{"id": {narvik.SessionIDFromToken(bobToken)}}), 303, "/sessions?m=revoked")
	want(t, "bob", bob.get("/sessions"), 200, "")

	want(t, "revoke the phone", laptop.post("/sessions/revoke", url.Values{"id": {narvik.SessionIDFromToken(phoneToken)}}), 303, "/sessions?m=revoked")
	want(t, "phone", phone.get("/sessions"), 303, "/signin?m=ended")
	want(t, "laptop", laptop.get("/sessions"), 200, "")
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	d.mustSignIn("alice", "wonderland")
	evil := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
	noHeaders := map[string]string{"Sec-Fetch-Site": "", "Origin": ""}

	for _, path := range []string{"/signout", "/signout-others", "/signout-everywhere", "/sessions/revoke"} {
		for name, h := range map[string]map[string]string{"cross-site": evil, "no headers": noHeaders} {
			res := d.do("POST", path, url.Values{}, h)
			if res.status != 403 || len(res.setCookie) != 0 {
				t.Fatalf("%s POST %s: %d, Set-Cookie %q", name, path, res.status, res.setCookie)
			}
		}
	}
	want(t, "still signed in", d.get("/sessions"), 200, "")

	// Login CSRF: another site cannot sign this browser in.
	fresh := e.device(uaPhone)
	res := fresh.do("POST", "/signin", url.Values{"username": {"bob"}, "password": {"canwefixit"}}, evil)
	if res.status != 403 || len(res.setCookie) != 0 {
		t.Fatalf("cross-site sign-in: %d, Set-Cookie %q", res.status, res.setCookie)
	}
	// A same-origin form without Sec-Fetch-Site (older browser) passes on Origin.
	res = fresh.do("POST", "/signin", url.Values{"username": {"bob"}, "password": {"canwefixit"}}, map[string]string{"Sec-Fetch-Site": ""})
	want(t, "same-origin sign-in by Origin", res, 303, "/sessions")
}

func TestStoreFailure(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	token := d.mustSignIn("alice", "wonderland")
	e.store.Fail(true)

	res := d.get("/sessions")
	if res.status != 500 || strings.Contains(res.body, "alice") || len(res.setCookie) != 0 {
		t.Fatalf("store down: %d, Set-Cookie %q, body %q", res.status, res.setCookie, res.body)
	}
	if d.token() != token {
		t.Fatal("a store failure signed the device out")
	}
	fresh := e.device(uaPhone)
	res = fresh.signIn("bob", "canwefixit")
	if res.status != 500 || len(res.setCookie) != 0 {
		t.Fatalf("sign-in with the store down: %d, Set-Cookie %q", res.status, res.setCookie)
	}
	e.store.Fail(false)
	want(t, "store back", d.get("/sessions"), 200, "")
}

func TestSignUp(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	want(t, "sign-up page", d.get("/signup"), 200, "")
	for _, tc := range []struct{ user, pass, msg string }{
		{"alice", "longenough", "That username is taken."},
		{"A", "longenough", "A username is 3 to 32 characters"},
		{"carol<script>", "longenough", "A username is 3 to 32 characters"},
		{"carol", "short", "A password is 8 to 128 characters."},
	} {
		res := d.post("/signup", url.Values{"username": {tc.user}, "password": {tc.pass}})
		if res.status != 400 || len(res.setCookie) != 0 || !strings.Contains(res.body, tc.msg) {
			t.Fatalf("sign up %q/%q: %d, Set-Cookie %q, body %.400q", tc.user, tc.pass, res.status, res.setCookie, res.body)
		}
		if strings.Contains(res.body, "<script>") {
			t.Fatal("the username was echoed unescaped")
		}
	}
	res := d.post("/signup", url.Values{"username": {"carol"}, "password": {"carols-password"}})
	want(t, "sign up carol", res, 303, "/sessions")
	if page := d.get("/sessions"); !strings.Contains(page.body, "Signed in as <strong>carol</strong>") {
		t.Fatal("carol is not signed in after sign-up")
	}
	d.post("/signout", nil)
	d.mustSignIn("carol", "carols-password")
	want(t, "carol's wrong password", d.signIn("carol", "wonderland"), 401, "")
}

// TestSessionOfAVanishedUser: sign-ups live in memory, sessions may live in
// a file. After a restart a session can name a user the app no longer
// knows; it must be ended, not shown.
func TestSessionOfAVanishedUser(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	d.post("/signup", url.Values{"username": {"dave"}, "password": {"daves-password"}})
	token := d.token()
	restarted, err := app.New(app.Config{Store: e.store, Now: e.clock.Now, PasswordIterations: 1000, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Config.Handler = restarted
	res := d.get("/sessions")
	want(t, "vanished user", res, 303, "/signin?m=gone")
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
	if s, _ := e.n.ValidateSession(context.Background(), token); s != nil {
		t.Fatal("the vanished user's session is still valid")
	}
}

func TestSecureCookiesOverTLS(t *testing.T) {
	e := newEnv(t, true)
	d := e.device(uaLaptop)
	res := d.signIn("alice", "wonderland")
	want(t, "sign in over TLS", res, 303, "/sessions")
	wantCookie := "__Host-narvik_session=" + d.token() + "; Max-Age=2592000; Path=/; SameSite=Lax; Secure; HttpOnly"
	if !slices.Equal(res.setCookie, []string{wantCookie}) {
		t.Fatalf("Set-Cookie %q, want %q", res.setCookie, wantCookie)
	}
	want(t, "sessions over TLS", d.get("/sessions"), 200, "")
	res = d.post("/signout", nil)
	if want := "__Host-narvik_session=; Max-Age=0; Path=/; SameSite=Lax; Secure; HttpOnly"; !slices.Equal(res.setCookie, []string{want}) {
		t.Fatalf("blank cookie %q, want %q", res.setCookie, want)
	}
}

func TestStaticFilesAndHeaders(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	css := d.get("/static/style.css")
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") || !strings.Contains(css.body, "@media") {
		t.Fatalf("style.css: %d %q", css.status, css.header.Get("Content-Type"))
	}
	page := d.get("/signin")
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := page.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(page.body, `name="viewport"`) || strings.Contains(page.body, "<script") || strings.Contains(page.body, "http://") {
		t.Error("the page must be mobile-ready, script-free and load nothing from elsewhere")
	}
	if !strings.Contains(page.body, "alice") || !strings.Contains(page.body, "wonderland") {
		t.Error("the sign-in page does not show the demo credentials")
	}
	want(t, "unknown path", d.get("/nope"), 404, "")
}

// TestHeaderComesFromTheSessionOnly: a wrong password or a refused sign-up
// fills the form again with the typed name, and the header says nothing:
// it shows who is signed in, from the session only.
func TestHeaderComesFromTheSessionOnly(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	for what, res := range map[string]response{
		"wrong password":    d.signIn("mallory", "wonderland"),
		"a name taken":      d.post("/signup", url.Values{"username": {"alice"}, "password": {"long-enough"}}),
		"a password short":  d.post("/signup", url.Values{"username": {"mallory"}, "password": {"short"}}),
		"alice, wrong":      d.signIn("alice", "not-hers"),
		"the sign-in page":  d.get("/signin"),
		"the sign-up page":  d.get("/signup"),
		"an unknown notice": d.get("/signin?m=signed-in-as-mallory"),
	} {
		if strings.Contains(res.body, "Signed in as") || strings.Contains(res.body, "signed-in-as") {
			t.Errorf("%s: the page says someone is signed in: %.600q", what, res.body)
		}
	}
	if res := d.signIn("mallory", "x"); !strings.Contains(res.body, `value="mallory"`) {
		t.Errorf("the form does not keep the typed name: %.600q", res.body)
	}
	d.mustSignIn("alice", "wonderland")
	if page := d.get("/sessions"); !strings.Contains(page.body, "Signed in as <strong>alice</strong>") {
		t.Error("the header does not name the signed-in user")
	}
}

// TestDemoAccounts: alice and bob exist for the local demo only, unless
// asked for, and the page shows their passwords only when they exist.
func TestDemoAccounts(t *testing.T) {
	for _, c := range []struct {
		name   string
		cfg    app.Config
		tls    bool
		exists bool
	}{
		{"local demo", app.Config{}, false, true},
		{"TLS with SecureCookies", app.Config{SecureCookies: true}, true, false},
		{"SecureCookies", app.Config{SecureCookies: true}, false, false},
		{"behind a proxy", app.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, false, false},
		{"turned on with TLS", app.Config{SecureCookies: true, DemoAccounts: app.DemoAccountsOn}, true, true},
		{"turned off locally", app.Config{DemoAccounts: app.DemoAccountsOff}, false, false},
	} {
		e := startEnv(t, c.cfg, c.tls)
		if e.app.DemoAccountsEnabled() != c.exists {
			t.Errorf("%s: DemoAccountsEnabled %v", c.name, !c.exists)
		}
		d := e.device(uaLaptop)
		page := d.get("/signin").body
		if shown := strings.Contains(page, "Demo users") || strings.Contains(page, "wonderland"); shown != c.exists {
			t.Errorf("%s: demo credentials shown: %v", c.name, shown)
		}
		status := http.StatusUnauthorized
		if c.exists {
			status = http.StatusSeeOther
		}
		if res := d.signIn("alice", "wonderland"); res.status != status {
			t.Errorf("%s: alice signs in with %d, want %d", c.name, res.status, status)
		}
	}
}

// TestSignedOutFromAnotherDevice: a device whose session was ended
// elsewhere lands on the sign-in page with a notice that says so.
func TestSignedOutFromAnotherDevice(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone := e.device(uaLaptop), e.device(uaPhone)
	laptop.mustSignIn("alice", "wonderland")
	phone.mustSignIn("alice", "wonderland")
	want(t, "sign out the others", laptop.post("/signout-others", nil), 303, "/sessions?m=others")

	res := phone.get("/")
	want(t, "the phone", res, 303, "/signin?m=ended")
	if !slices.Equal(res.setCookie, []string{blankCookie}) {
		t.Fatalf("Set-Cookie %q", res.setCookie)
	}
	page := phone.get(res.location)
	if !strings.Contains(page.body, "You were signed out from another device") {
		t.Fatalf("no notice: %.600q", page.body)
	}
	// Once the cookie is cleared, a visit is a plain signed-out one.
	want(t, "the phone again", phone.get("/sessions"), 303, "/signin")
	// A device that signed out by itself gets no such notice either.
	laptop.post("/signout", nil)
	want(t, "the laptop", laptop.get("/sessions"), 303, "/signin")
}

func TestSignUpRedirectsSignedInUsers(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	d.mustSignIn("alice", "wonderland")
	want(t, "sign-up page signed in", d.get("/signup"), 303, "/sessions")
}

// TestLargeFormIs413: a form over the size limit is refused as such, not
// as a wrong password.
func TestLargeFormIs413(t *testing.T) {
	e := newEnv(t, false)
	d := e.device(uaLaptop)
	big := url.Values{"username": {"alice"}, "password": {strings.Repeat("x", 1<<20)}}
	for _, path := range []string{"/signin", "/signup"} {
		res := d.post(path, big)
		if res.status != http.StatusRequestEntityTooLarge || strings.Contains(res.body, "Wrong username") || len(res.setCookie) != 0 {
			t.Errorf("1 MB POST %s: %d %.200q", path, res.status, res.body)
		}
	}
	d.mustSignIn("alice", "wonderland")
	if res := d.post("/sessions/revoke", url.Values{"id": {strings.Repeat("x", 1<<20)}}); res.status != http.StatusRequestEntityTooLarge {
		t.Errorf("1 MB POST /sessions/revoke: %d", res.status)
	}
	want(t, "a form of normal size", d.post("/signout", nil), 303, "/signin?m=signed-out")
}
