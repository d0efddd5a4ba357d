package narvikhttp

import (
	"errors"
	"fmt"
	"log/slog"
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
	logger       *slog.Logger
}

func defaultConfig() config {
	return config{csrf: true, errorHandler: DefaultErrorHandler, logger: slog.Default()}
}

// WithBearerTokens makes the middleware accept "Authorization: Bearer
// <token>" as well as the cookie, for API clients. A request that carries a
// Bearer header is judged by that token alone: its cookie is not read, no
// cookie is set or cleared (EndSession included). A valid token exempts the
// request from the CSRF check, because a browser never attaches that header
// to a cross-site request on its own (it is not CORS-safelisted, so a
// cross-site page cannot add it without a preflight this package never
// approves). An invalid one (unknown, expired, malformed) exempts nothing:
// the request has no session, and an unsafe one must pass the CSRF check
// like any request without credentials.
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

// WithLogger sets where the middleware reports what a developer or operator
// must know, each as a warning: a Secure cookie sent over plain HTTP to a
// host that is not localhost (the browser drops it; logged once), and a
// request with session cookies of different users (see Wrap). The default
// is slog.Default(); a nil logger discards everything. Tokens are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
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
// plain-text body that reveals nothing of the error. A request refused for
// carrying no Origin at all (typically a script: curl -d sends none) is
// told what to send instead.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNoOrigin):
		http.Error(w, noOriginBody, http.StatusForbidden)
	case isCrossOrigin(err):
		http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
	default:
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// noOriginBody is what DefaultErrorHandler answers to an unsafe request
// with no Origin, Referer or Sec-Fetch-Site header.
const noOriginBody = "Forbidden: this request has no Origin header (nor Referer or Sec-Fetch-Site), " +
	"so it cannot be told apart from a cross-site request. Browsers send Origin on every POST; " +
	"a script or tool must send one naming this site (for example -H 'Origin: https://example.com' with curl), " +
	"or, where the server accepts them, authenticate with an Authorization: Bearer token."

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
