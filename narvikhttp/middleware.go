package narvikhttp

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/narvik-go/narvik"
)

// Middleware connects a Narvik to net/http: its Wrap method is the
// middleware that validates each request's session, and its helpers start
// and end sessions. It is safe for concurrent use.
type Middleware[D any] struct {
	n            *narvik.Narvik[D]
	bearer       bool
	csrf         bool
	trusted      map[string]bool // canonical origins
	errorHandler func(http.ResponseWriter, *http.Request, error)
	log          *slog.Logger
	secure       bool   // the Narvik's cookies are Secure
	cookiePrefix string // "name=", how our Set-Cookie lines start
	warnedPlain  atomic.Bool
}

// Handler is the former name of Middleware. It was never an http.Handler:
// Wrap returns one.
//
// Deprecated: use Middleware.
type Handler[D any] = Middleware[D]

// New returns a Middleware over n. It fails with ErrInvalidOption for an
// unusable option and when n is nil.
func New[D any](n *narvik.Narvik[D], opts ...Option) (*Middleware[D], error) {
	if n == nil {
		return nil, fmt.Errorf("%w: nil Narvik", ErrInvalidOption)
	}
	c := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	trusted, err := c.validate()
	if err != nil {
		return nil, err
	}
	return &Middleware[D]{
		n:            n,
		bearer:       c.bearer,
		csrf:         c.csrf,
		trusted:      trusted,
		errorHandler: c.errorHandler,
		log:          c.logger,
		secure:       n.CreateBlankCookie().Attributes.Secure,
		cookiePrefix: n.CookieName() + "=",
	}, nil
}

// Wrap returns middleware around next. For each request it:
//
//   - with WithBearerTokens, when the request carries "Authorization:
//     Bearer", judges it by that token alone: the cookie is not read, set
//     or cleared. A valid token authenticates the request and exempts it
//     from the CSRF check; an invalid one (unknown, expired, malformed)
//     leaves the request without a session and, if its method is unsafe,
//     subject to the CSRF check like any request without credentials;
//   - otherwise refuses an unsafe request (anything but GET, HEAD, OPTIONS
//     and TRACE) that fails the CSRF check, through the error handler (403
//     by default), before any store call;
//   - reads the session cookie: every cookie of that name the request
//     carries is a candidate (see "Duplicate cookies" in the package doc);
//   - validates it, and puts the session in the request context, where
//     Session and SessionFrom find it;
//   - re-sets the cookie when the session was extended, so the cookie's
//     lifetime follows the session's;
//   - sets the blank cookie when the presented cookies name no valid
//     session (unknown, expired or malformed), so the browser stops sending
//     them;
//   - makes any response that carries the session cookie uncacheable by
//     shared caches (Cache-Control: private), so that a CDN never stores a
//     Set-Cookie, whether the middleware or the handler set the cookie;
//   - answers a store failure through the error handler (500 by default)
//     without calling next: a failure never looks like "signed in", nor
//     like "signed out" (the cookie is kept).
//
// A request without a token reaches next with no session.
func (m *Middleware[D]) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &cookieWriter{ResponseWriter: w, prefix: m.cookiePrefix}
		m.serve(cw, r, next)
		cw.finish()
	})
}

func (m *Middleware[D]) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if token, ok := m.bearerToken(r); ok {
		s, err := m.n.ValidateSession(r.Context(), token)
		if err != nil {
			m.errorHandler(w, r, err)
			return
		}
		if s == nil && m.csrf && !safeMethod(r.Method) {
			if err := checkOrigin(r, m.trusted); err != nil {
				m.errorHandler(w, r, err)
				return
			}
		}
		if s != nil {
			r = r.WithContext(withSession(r.Context(), s))
		}
		next.ServeHTTP(w, r)
		return
	}
	if m.csrf && !safeMethod(r.Method) {
		if err := checkOrigin(r, m.trusted); err != nil {
			m.errorHandler(w, r, err)
			return
		}
	}
	res, err := m.fromCookies(r)
	if err != nil {
		m.errorHandler(w, r, err)
		return
	}
	switch {
	case res.clear:
		m.setCookie(w, r, m.n.CreateBlankCookie())
	case res.session != nil && res.session.Extended:
		m.setCookie(w, r, m.n.CreateCookie(res.token))
	}
	if res.session != nil {
		r = r.WithContext(withSession(r.Context(), res.session))
	}
	next.ServeHTTP(w, r)
}

// bearerToken returns the token of an "Authorization: Bearer" header when
// bearer tokens are on. Other schemes (Basic, ...) are not ours: the request
// is then treated as a cookie request.
func (m *Middleware[D]) bearerToken(r *http.Request) (string, bool) {
	if !m.bearer {
		return "", false
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Session returns the session that Wrap validated for this request, and
// whether there is one; D comes from m, so it cannot be the wrong type. See
// SessionFrom.
func (m *Middleware[D]) Session(r *http.Request) (*narvik.Session[D], bool) {
	return SessionFrom[D](r.Context())
}

// RequireSession returns a handler that calls next only for a request with
// a valid session, and answers 401 Unauthorized otherwise. Use it inside
// Wrap. With bearer tokens on, the 401 carries "WWW-Authenticate: Bearer".
// For a plain function, use RequireSessionFunc.
func (m *Middleware[D]) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := SessionFrom[D](r.Context()); !ok {
			if m.bearer {
				w.Header().Set("WWW-Authenticate", "Bearer")
			}
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireSessionFunc is RequireSession for a plain handler function, so that
// mux.Handle("GET /me", m.RequireSessionFunc(me)) needs no
// http.HandlerFunc conversion.
func (m *Middleware[D]) RequireSessionFunc(next func(http.ResponseWriter, *http.Request)) http.Handler {
	return m.RequireSession(http.HandlerFunc(next))
}

// StartSession signs the user in: it creates a session for userID with data
// and sets the session cookie on w. The sessions the request already named
// are invalidated first (the one Wrap validated, else the Bearer token's,
// else every session cookie's), so signing in again on a device leaves no
// orphan session behind, and a session cookie planted by another site
// stops counting. The request is not changed: the new session is visible
// from the next request on.
//
// API clients that use Bearer tokens need the token itself: call
// Narvik.CreateSession and hand them CreateSessionResult.Token.
func (m *Middleware[D]) StartSession(w http.ResponseWriter, r *http.Request, userID string, data D) (*narvik.Session[D], error) {
	if err := m.endNamed(r); err != nil {
		return nil, err
	}
	res, err := m.n.CreateSession(r.Context(), userID, data)
	if err != nil {
		return nil, err
	}
	m.setCookie(w, r, m.n.CreateCookie(res.Token))
	return res.Session, nil
}

// EndSession signs the current device out: it invalidates the request's
// session and sets the blank cookie. Without a session in the context
// (outside Wrap, or when Wrap found none) it invalidates every session the
// request's cookies name, so it also works outside Wrap and ends the
// sessions of duplicate cookies Wrap could not choose between.
//
// A request that carries a Bearer token (with WithBearerTokens) is judged by
// that token alone, as in Wrap: its session is invalidated, and its cookie
// is neither read nor cleared, so a Bearer header cannot make EndSession
// act on the cookie's session. On a store error the cookie is left alone,
// so that the user can try again, and the error is returned.
func (m *Middleware[D]) EndSession(w http.ResponseWriter, r *http.Request) error {
	if err := m.endNamed(r); err != nil {
		return err
	}
	if _, bearer := m.bearerToken(r); !bearer {
		m.setCookie(w, r, m.n.CreateBlankCookie())
	}
	return nil
}

// endNamed invalidates the sessions r names: the one in its context, else
// its Bearer token's, else its session cookies' (at most maxCandidates).
// Only the holder of a token can name its session, so this ends no one
// else's.
func (m *Middleware[D]) endNamed(r *http.Request) error {
	var tokens []string
	if s, ok := SessionFrom[D](r.Context()); ok {
		return m.n.InvalidateSession(r.Context(), s.ID)
	} else if token, bearer := m.bearerToken(r); bearer {
		if token != "" {
			tokens = []string{token}
		}
	} else {
		tokens, _, _ = m.candidates(r, nil)
	}
	for _, t := range tokens {
		if err := m.n.InvalidateSession(r.Context(), narvik.SessionIDFromToken(t)); err != nil {
			return err
		}
	}
	return nil
}

// ClearCookie sets the blank cookie on w, for instance after
// Narvik.DeleteSessionsForUser ("sign out everywhere").
func (m *Middleware[D]) ClearCookie(w http.ResponseWriter) {
	m.setCookie(w, nil, m.n.CreateBlankCookie())
}
