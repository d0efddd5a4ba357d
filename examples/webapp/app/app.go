// Package app is the narvik demo web application: sign-in with hashed
// passwords, sign-up, and a page that lists the user's sessions with
// sign-out buttons. It is a plain http.Handler over any narvik.SessionStore,
// so that the binary in examples/webapp, the tests and the browser test all
// serve the same thing.
package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/narvikhttp"
)

//go:embed web
var webFS embed.FS

// SessionData is what the app keeps with each session: where it was
// signed in from, for the sessions page.
type SessionData struct {
	IP        string `json:"ip"`
	UserAgent string `json:"ua"`
}

// maxUserAgent bounds what a client can make the store keep.
const maxUserAgent = 512

// DemoAccounts says whether the demo accounts (DemoUsers) exist.
type DemoAccounts int

const (
	// DemoAccountsAuto, the default, creates them unless SecureCookies is
	// set or TrustedProxies is not empty: they are for a local demo.
	DemoAccountsAuto DemoAccounts = iota
	// DemoAccountsOn creates them.
	DemoAccountsOn
	// DemoAccountsOff does not.
	DemoAccountsOff
)

// Config configures New. Store is required; the rest have defaults.
type Config struct {
	// Store keeps the sessions.
	Store narvik.SessionStore
	// SecureCookies makes every cookie Secure and names it with the
	// __Host- prefix. Without it, that is still so for every request but
	// one made over plain HTTP straight from this machine to a loopback
	// host name (http://localhost, http://127.0.0.1, http://[::1]), which
	// gets a plain cookie: not every client sends a Secure cookie back
	// over plain HTTP, even on localhost. A request that a proxy passed on
	// (it carries X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host or
	// Forwarded) never counts as local.
	SecureCookies bool
	// TrustedOrigins are other origins allowed to POST (see
	// narvikhttp.WithTrustedOrigins).
	TrustedOrigins []string
	// TrustedProxies are the peers whose X-Forwarded-For (the client's
	// address, for the rate limits and the sessions page) and
	// X-Forwarded-Proto are believed. Anyone else's are ignored.
	TrustedProxies []netip.Prefix
	// DemoAccounts says whether alice and bob exist (default
	// DemoAccountsAuto).
	DemoAccounts DemoAccounts
	// Limits bounds sign-in and sign-up; zero fields take DefaultLimits.
	Limits Limits
	// Now is the sessions' and the limits' clock (default time.Now); tests
	// move it.
	Now func() time.Time
	// PasswordIterations is the PBKDF2 iteration count (default
	// DefaultPasswordIterations); tests lower it.
	PasswordIterations int
	// Logger receives errors and narvikhttp's warnings (default
	// slog.Default()).
	Logger *slog.Logger
	// Observer, if set, is told the outcome of every session operation
	// (see narvik.WithObserver); the binary sets it for -metrics-addr.
	Observer narvik.Observer
}

// App is the demo application. It is an http.Handler. It starts no
// goroutine, so it needs no Close.
type App struct {
	n         *narvik.Narvik[SessionData] // any site's: they share store and clock
	secure    *site
	plain     *site // nil with SecureCookies
	users     *users
	demo      []Credential // the demo accounts, when they exist
	limits    Limits
	addresses *lru[netip.Addr, *addressLimits]
	slots     *hashSlots
	proxies   []netip.Prefix
	assertTLS bool // SecureCookies: the operator says the site is HTTPS
	pages     map[string]*template.Template
	now       func() time.Time
	log       *slog.Logger
	handler   http.Handler
}

// site is one cookie flavour of the app: a Narvik with its cookie and the
// middleware over it, wrapped around the app's routes.
type site struct {
	h       *narvikhttp.Middleware[SessionData]
	n       *narvik.Narvik[SessionData]
	handler http.Handler
}

// New returns the app over cfg.Store.
func New(cfg Config) (*App, error) {
	if cfg.Store == nil {
		return nil, errors.New("app: nil store")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PasswordIterations <= 0 {
		cfg.PasswordIterations = DefaultPasswordIterations
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	limits, err := cfg.Limits.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &App{
		limits:    limits,
		addresses: newLRU[netip.Addr, *addressLimits](limits.Addresses),
		slots:     newHashSlots(limits.HashSlots),
		proxies:   cfg.TrustedProxies,
		assertTLS: cfg.SecureCookies,
		now:       cfg.Now,
		log:       cfg.Logger,
	}
	switch cfg.DemoAccounts {
	case DemoAccountsOn:
		a.demo = DemoUsers
	case DemoAccountsAuto:
		if !cfg.SecureCookies && len(cfg.TrustedProxies) == 0 {
			a.demo = DemoUsers
		}
	}
	routes := a.routes()
	// __Host- makes the browser refuse the cookie unless it is Secure, has
	// Path=/ and no Domain: no subdomain can plant or shadow it.
	if a.secure, err = newSite(cfg, routes, narvik.WithCookieHostPrefix()); err != nil {
		return nil, err
	}
	if !cfg.SecureCookies {
		if a.plain, err = newSite(cfg, routes, narvik.WithCookieSecure(false)); err != nil {
			return nil, err
		}
	}
	a.n = a.secure.n
	if a.users, err = newUsers(cfg.PasswordIterations, limits.MaxUsers, limits.WrongPasswordsPerAccount, a.demo); err != nil {
		return nil, err
	}
	if a.pages, err = parsePages(); err != nil {
		return nil, err
	}
	a.handler = securityHeaders(http.HandlerFunc(a.dispatch))
	return a, nil
}

func newSite(cfg Config, routes http.Handler, cookie narvik.Option) (*site, error) {
	n, err := narvik.New[SessionData](cfg.Store, narvik.WithClock(cfg.Now), narvik.WithObserver(cfg.Observer), cookie)
	if err != nil {
		return nil, err
	}
	h, err := narvikhttp.New(n, narvikhttp.WithTrustedOrigins(cfg.TrustedOrigins...), narvikhttp.WithLogger(cfg.Logger),
		narvikhttp.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(err, narvikhttp.ErrCrossOrigin) {
				http.Error(w, "Forbidden: this form was not sent from this site.", http.StatusForbidden)
				return
			}
			cfg.Logger.Error("session check failed", "path", r.URL.Path, "err", err)
			http.Error(w, "Sessions are unavailable right now; try again in a moment.", http.StatusInternalServerError)
		}))
	if err != nil {
		return nil, err
	}
	return &site{h: h, n: n, handler: h.Wrap(routes)}, nil
}

// ServeHTTP serves the app.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// dispatch works out the request's client and sends it to the site whose
// cookie fits: the plain one only for a local request.
func (a *App) dispatch(w http.ResponseWriter, r *http.Request) {
	req := &request{client: a.clientOf(r), site: a.secure}
	if req.client.local && a.plain != nil {
		req.site = a.plain
	}
	req.site.handler.ServeHTTP(w, r.WithContext(withRequest(r.Context(), req)))
}

// DemoAccountsEnabled reports whether the demo accounts exist.
func (a *App) DemoAccountsEnabled() bool { return a.demo != nil }

// DeleteExpiredSessions removes expired sessions from the store; the binary
// calls it periodically.
func (a *App) DeleteExpiredSessions(ctx context.Context) (int, error) {
	return a.n.DeleteAllExpiredSessions(ctx)
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(webFS, "web/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /signin", a.signInPage)
	mux.HandleFunc("POST /signin", a.signIn)
	mux.HandleFunc("GET /signup", a.signUpPage)
	mux.HandleFunc("POST /signup", a.signUp)
	mux.HandleFunc("GET /sessions", a.signedIn(a.sessionsPage))
	mux.HandleFunc("POST /signout", a.signOut)
	mux.HandleFunc("POST /signout-others", a.signedIn(a.signOutOthers))
	mux.HandleFunc("POST /signout-everywhere", a.signedIn(a.signOutEverywhere))
	mux.HandleFunc("POST /sessions/revoke", a.signedIn(a.revoke))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

// securityHeaders: no scripts at all, styles only from here, no framing,
// and a Referer on same-origin requests only (the CSRF check may use it).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// clientData is the session data recorded at sign-in: the client's address
// (see client.addr: forwarding headers count only from a trusted proxy) and
// the User-Agent, cut to a bounded length.
func clientData(r *http.Request) SessionData {
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	ip := ""
	if addr := requestOf(r).client.addr; addr.IsValid() {
		ip = addr.String()
	}
	return SessionData{IP: ip, UserAgent: ua}
}
