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
	"net"
	"net/http"
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

// Config configures New. Store is required; the rest have defaults.
type Config struct {
	// Store keeps the sessions.
	Store narvik.SessionStore
	// SecureCookies marks the cookie Secure and names it with the __Host-
	// prefix. Turn it on whenever the app is reached over HTTPS; leave it
	// off for http://localhost, where a Secure cookie would not be sent
	// back by every client.
	SecureCookies bool
	// TrustedOrigins are other origins allowed to POST (see
	// narvikhttp.WithTrustedOrigins).
	TrustedOrigins []string
	// Now is the sessions' clock (default time.Now); tests move it.
	Now func() time.Time
	// PasswordIterations is the PBKDF2 iteration count (default
	// DefaultPasswordIterations); tests lower it.
	PasswordIterations int
	// Logger receives errors (default slog.Default()).
	Logger *slog.Logger
	// Observer, if set, is told the outcome of every session operation
	// (see narvik.WithObserver); the binary sets it for -metrics-addr.
	Observer narvik.Observer
}

// App is the demo application. It is an http.Handler.
type App struct {
	n       *narvik.Narvik[SessionData]
	h       *narvikhttp.Middleware[SessionData]
	users   *users
	pages   map[string]*template.Template
	now     func() time.Time
	log     *slog.Logger
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
	opts := []narvik.Option{narvik.WithClock(cfg.Now), narvik.WithCookieSecure(cfg.SecureCookies), narvik.WithObserver(cfg.Observer)}
	if cfg.SecureCookies {
		// __Host- makes the browser refuse the cookie unless it is Secure,
		// has Path=/ and no Domain: no subdomain can plant or shadow it.
		opts = append(opts, narvik.WithCookieName("__Host-"+narvik.DefaultCookieName))
	}
	n, err := narvik.New[SessionData](cfg.Store, opts...)
	if err != nil {
		return nil, err
	}
	h, err := narvikhttp.New(n, narvikhttp.WithTrustedOrigins(cfg.TrustedOrigins...),
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
	us, err := newUsers(cfg.PasswordIterations)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	a := &App{n: n, h: h, users: us, pages: pages, now: cfg.Now, log: cfg.Logger}
	a.handler = securityHeaders(h.Wrap(a.routes()))
	return a, nil
}

// ServeHTTP serves the app.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

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

// clientData is the session data recorded at sign-in: the peer's IP (the
// demo does not sit behind a proxy, so it trusts no forwarding header) and
// the User-Agent, cut to a bounded length.
func clientData(r *http.Request) SessionData {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	return SessionData{IP: ip, UserAgent: ua}
}
