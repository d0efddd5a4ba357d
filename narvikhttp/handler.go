package narvikhttp

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/narvik-go/narvik"
)

// Handler connects a Narvik to net/http: its Wrap middleware validates the
// request's session, and its helpers start and end sessions. It is safe for
// concurrent use.
type Handler[D any] struct {
	n            *narvik.Narvik[D]
	bearer       bool
	csrf         bool
	trusted      map[string]bool // canonical origins
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

// New returns a Handler over n. It fails with ErrInvalidOption for an
// unusable option and when n is nil.
func New[D any](n *narvik.Narvik[D], opts ...Option) (*Handler[D], error) {
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
	return &Handler[D]{
		n:            n,
		bearer:       c.bearer,
		csrf:         c.csrf,
		trusted:      trusted,
		errorHandler: c.errorHandler,
	}, nil
}

// Wrap returns middleware around next. For each request it:
//
//   - refuses an unsafe request (anything but GET, HEAD, OPTIONS and TRACE)
//     that fails the CSRF check, through the error handler (403 by default),
//     before any store call;
//   - reads the token from the session cookie, or from the Bearer header
//     when WithBearerTokens is on and the request carries one;
//   - validates it, and puts the session in the request context, where
//     SessionFrom finds it;
//   - re-sets the cookie when the session is new or was extended, so the
//     cookie's lifetime follows the session's;
//   - sets the blank cookie when a presented cookie names no valid session
//     (unknown, expired or malformed), so the browser stops sending it;
//   - answers a store failure through the error handler (500 by default)
//     without calling next: a failure never looks like "signed in", nor
//     like "signed out" (the cookie is kept).
//
// A request without a token reaches next with no session.
func (h *Handler[D]) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := h.bearerToken(r); ok {
			s, err := h.n.ValidateSession(r.Context(), token)
			if err != nil {
				h.errorHandler(w, r, err)
				return
			}
			if s != nil {
				r = r.WithContext(withSession(r.Context(), s))
			}
			next.ServeHTTP(w, r)
			return
		}
		if h.csrf && !safeMethod(r.Method) {
			if err := checkOrigin(r, h.trusted); err != nil {
				h.errorHandler(w, r, err)
				return
			}
		}
		c, err := r.Cookie(h.n.CookieName())
		if err != nil { // http.ErrNoCookie: not signed in
			next.ServeHTTP(w, r)
			return
		}
		s, err := h.n.ValidateSession(r.Context(), c.Value)
		if err != nil {
			h.errorHandler(w, r, err)
			return
		}
		if s == nil {
			h.setCookie(w, h.n.CreateBlankCookie())
			next.ServeHTTP(w, r)
			return
		}
		if s.New || s.Extended {
			h.setCookie(w, h.n.CreateCookie(c.Value))
		}
		next.ServeHTTP(w, r.WithContext(withSession(r.Context(), s)))
	})
}

// bearerToken returns the token of an "Authorization: Bearer" header when
// bearer tokens are on. Other schemes (Basic, ...) are not ours: the request
// is then treated as a cookie request.
func (h *Handler[D]) bearerToken(r *http.Request) (string, bool) {
	if !h.bearer {
		return "", false
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// RequireSession returns a handler that calls next only for a request with
// a valid session, and answers 401 Unauthorized otherwise. Use it inside
// Wrap. With bearer tokens on, the 401 carries "WWW-Authenticate: Bearer".
func (h *Handler[D]) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := SessionFrom[D](r.Context()); !ok {
			if h.bearer {
				w.Header().Set("WWW-Authenticate", "Bearer")
			}
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// StartSession signs the user in: it creates a session for userID with data
// and sets the session cookie on w. A session the request already carried
// (see SessionFrom) is invalidated first, so signing in again on a device
// leaves no orphan session behind. The request is not changed: the new
// session is visible from the next request on.
//
// API clients that use Bearer tokens need the token itself: call
// Narvik.CreateSession and hand them CreateSessionResult.Token.
func (h *Handler[D]) StartSession(w http.ResponseWriter, r *http.Request, userID string, data D) (*narvik.Session[D], error) {
	if old, ok := SessionFrom[D](r.Context()); ok {
		if err := h.n.InvalidateSession(r.Context(), old.ID); err != nil {
			return nil, err
		}
	}
	res, err := h.n.CreateSession(r.Context(), userID, data)
	if err != nil {
		return nil, err
	}
	h.setCookie(w, h.n.CreateCookie(res.Token))
	return res.Session, nil
}

// EndSession signs the current device out: it invalidates the request's
// session and sets the blank cookie. Without a session in the context it
// invalidates the session the cookie names, if any, so it also works outside
// Wrap. On a store error the cookie is left alone, so that the user can try
// again, and the error is returned.
func (h *Handler[D]) EndSession(w http.ResponseWriter, r *http.Request) error {
	id := ""
	if s, ok := SessionFrom[D](r.Context()); ok {
		id = s.ID
	} else if c, err := r.Cookie(h.n.CookieName()); err == nil && c.Value != "" {
		id = narvik.SessionIDFromToken(c.Value)
	}
	if id != "" {
		if err := h.n.InvalidateSession(r.Context(), id); err != nil {
			return err
		}
	}
	h.setCookie(w, h.n.CreateBlankCookie())
	return nil
}

// ClearCookie sets the blank cookie on w, for instance after
// Narvik.DeleteSessionsForUser ("sign out everywhere").
func (h *Handler[D]) ClearCookie(w http.ResponseWriter) {
	h.setCookie(w, h.n.CreateBlankCookie())
}

// setCookie writes c as narvik serialises it, replacing any Set-Cookie for
// the same name already on w: the middleware may have re-set the cookie
// before the handler ends the session, and only the last word must reach
// the browser.
func (h *Handler[D]) setCookie(w http.ResponseWriter, c narvik.Cookie) {
	line := c.Serialize()
	prefix := line[:strings.IndexByte(line, '=')+1]
	hdr := w.Header()
	kept := hdr["Set-Cookie"][:0]
	for _, v := range hdr["Set-Cookie"] {
		if !strings.HasPrefix(v, prefix) {
			kept = append(kept, v)
		}
	}
	hdr["Set-Cookie"] = append(kept, line)
}
