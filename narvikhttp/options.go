package narvikhttp

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Option configures New.
type Option func(*config)

type config struct {
	bearer       bool
	csrf         bool
	trusted      []string
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

func defaultConfig() config {
	return config{csrf: true, errorHandler: DefaultErrorHandler}
}

// WithBearerTokens makes the middleware accept "Authorization: Bearer
// <token>" as well as the cookie, for API clients. A request that carries a
// Bearer header is judged by that token alone: its cookie is not read, no
// cookie is set or cleared, and the CSRF check does not apply, because a
// browser never attaches that header to a cross-site request on its own
// (it is not CORS-safelisted, so a cross-site page cannot add it without a
// preflight this package never approves).
func WithBearerTokens() Option {
	return func(c *config) { c.bearer = true }
}

// WithErrorHandler sets what answers a request the middleware cannot serve:
// a store failure (the error wraps the store's) or a request refused by the
// CSRF check (errors.Is(err, ErrCrossOrigin)). The handler must write the
// response; the wrapped handler is not called, and the request never counts
// as signed in. The default is DefaultErrorHandler.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// WithTrustedOrigins lets unsafe requests from these other origins through
// the CSRF check, for instance a separate front-end at
// "https://app.example.com". Each origin is scheme://host[:port], with no
// path; the comparison ignores case and a default port.
func WithTrustedOrigins(origins ...string) Option {
	return func(c *config) { c.trusted = append(c.trusted, origins...) }
}

// WithoutCSRF turns the CSRF check off.
//
// Dangerous: with the token in a cookie, any site the user visits can then
// make the browser send a signed-in POST to this one (a form that submits
// itself is enough; SameSite=Lax does not stop a same-site attacker, such as
// another subdomain). Use it only when every unsafe route is protected in
// another way, for instance by a CSRF-token library.
func WithoutCSRF() Option {
	return func(c *config) { c.csrf = false }
}

// DefaultErrorHandler answers 403 Forbidden for a request refused by the
// CSRF check and 500 Internal Server Error for anything else, with a short
// plain-text body that reveals nothing of the error.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	if isCrossOrigin(err) {
		http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
		return
	}
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func (c *config) validate() (map[string]bool, error) {
	if c.errorHandler == nil {
		return nil, fmt.Errorf("%w: nil error handler", ErrInvalidOption)
	}
	trusted := make(map[string]bool, len(c.trusted))
	for _, o := range c.trusted {
		canon, ok := parseOrigin(o)
		if !ok {
			return nil, fmt.Errorf("%w: trusted origin %q: want scheme://host[:port] with no path", ErrInvalidOption, o)
		}
		trusted[canon] = true
	}
	return trusted, nil
}

// parseOrigin returns the canonical form of an origin (scheme://host[:port],
// lowercase, default port removed), or false when s is not one. A single
// trailing slash is tolerated, as people often write it.
func parseOrigin(s string) (string, bool) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	return scheme + "://" + canonicalHost(scheme, u.Host), true
}

// canonicalHost lowercases host and drops the scheme's default port.
func canonicalHost(scheme, host string) string {
	host = strings.ToLower(host)
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}
