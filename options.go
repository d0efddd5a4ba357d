package narvik

import (
	"fmt"
	"time"
)

// Defaults, as in narvik.
const (
	DefaultSessionExpiresIn = 30 * 24 * time.Hour
	DefaultCookieName       = "narvik_session"
)

// Option configures New. Options are applied in order; New validates the
// result and reports the first unusable value wrapped in ErrInvalidOption.
type Option func(*config)

type config struct {
	expiresIn       time.Duration
	now             func() time.Time
	codec           Codec
	codecSet        bool // WithCodec was given: D's own methods are not used
	cookieName      string
	cookieExpiresIn time.Duration // 0: follow expiresIn
	browserSession  bool
	hostPrefix      bool
	attrs           CookieAttributes
	observer        Observer
}

func defaultConfig() config {
	return config{
		expiresIn:  DefaultSessionExpiresIn,
		now:        time.Now,
		codec:      JSONCodec{},
		cookieName: DefaultCookieName,
		attrs: CookieAttributes{
			Path:     "/",
			SameSite: SameSiteLax,
			Secure:   true,
			HttpOnly: true,
		},
	}
}

// WithSessionExpiresIn sets the session length (default 30 days), at least
// one second: the cookie's Max-Age follows it in whole seconds, and a
// shorter session would write Max-Age=0, a cookie that deletes itself. A
// session is extended by the full length once half of it or less remains.
func WithSessionExpiresIn(d time.Duration) Option {
	return func(c *config) { c.expiresIn = d }
}

// WithClock sets the clock the core reads (default time.Now). It moves only
// the core's view of time; stores judge expiry by the real clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithCodec sets how session data is encoded for the store. The default is
// D's own methods when *D implements DataMarshaler and DataUnmarshaler, and
// JSONCodec otherwise; a codec given here is used for every D.
func WithCodec(codec Codec) Option {
	return func(c *config) { c.codec, c.codecSet = codec, true }
}

// WithCookieName sets the cookie name (default "narvik_session"). It may
// hold letters, digits and -_.!~*' only, so that it reads the same in every
// serialisation. Browsers give two prefixes a meaning, and New enforces it:
// a "__Secure-" cookie must be Secure; a "__Host-" cookie must be Secure,
// have Path=/ and no Domain (see WithCookieHostPrefix).
func WithCookieName(name string) Option {
	return func(c *config) { c.cookieName = name }
}

// WithCookieExpiresIn sets the cookie's Max-Age (default: the session
// length), in whole seconds, at least one. narvik's guides use a long cookie
// (one year) for frameworks that cannot re-set the cookie whenever a session
// is extended. It contradicts WithBrowserSessionCookie (a cookie with no
// Max-Age at all): New refuses the two together.
func WithCookieExpiresIn(d time.Duration) Option {
	return func(c *config) { c.cookieExpiresIn = d }
}

// WithBrowserSessionCookie makes session cookies carry no Max-Age, so they
// last until the browser session ends: the "cookie that does not expire"
// narvik promised for frameworks that cannot re-set cookies. The blank
// cookie still carries Max-Age=0. New refuses it together with
// WithCookieExpiresIn.
func WithBrowserSessionCookie() Option {
	return func(c *config) { c.browserSession = true }
}

// WithCookieHostPrefix names the cookie "__Host-" + its name (default
// "__Host-narvik_session"), the strongest cookie a browser offers: it accepts
// a __Host- cookie only when it is Secure, has Path=/ and no Domain, so no
// other host (a sibling subdomain, a plain-HTTP page on the same name) can
// set, overwrite or shadow it. Recommended for every deployment over HTTPS;
// browsers also accept it on http://localhost. New refuses it together with
// WithCookieSecure(false), WithCookieDomain or a path other than "/", in
// whatever order the options come.
func WithCookieHostPrefix() Option {
	return func(c *config) { c.hostPrefix = true }
}

// WithCookieDomain sets the cookie's Domain attribute (default none). A
// Domain sends the cookie to every subdomain too, and lets every subdomain
// set one of the same name; leave it empty unless subdomains must share the
// session. A __Host- cookie may not have one.
func WithCookieDomain(domain string) Option {
	return func(c *config) { c.attrs.Domain = domain }
}

// WithCookiePath sets the cookie's Path attribute (default "/"). A __Host-
// cookie must keep "/".
func WithCookiePath(path string) Option {
	return func(c *config) { c.attrs.Path = path }
}

// WithCookieSecure sets the cookie's Secure flag (default true): browsers
// then send the cookie over HTTPS only, and store it only from an HTTPS
// response or from http://localhost (Chromium and Firefox). Served over
// plain HTTP from any other host, a Secure cookie is silently dropped and
// every request after sign-in is signed out (narvikhttp logs a warning
// once). Turn it off only for plain-HTTP development on a host name other
// than localhost; __Host- and __Secure- cookie names require it.
func WithCookieSecure(secure bool) Option {
	return func(c *config) { c.attrs.Secure = secure }
}

// WithCookieSameSite sets the cookie's SameSite attribute (default
// SameSiteLax). SameSiteNone requires Secure; "" writes no attribute.
func WithCookieSameSite(s SameSite) Option {
	return func(c *config) { c.attrs.SameSite = s }
}

// WithCookieHttpOnly sets the cookie's HttpOnly flag (default true). narvik
// offers no such option; turning it off lets page scripts read the token.
func WithCookieHttpOnly(httpOnly bool) Option {
	return func(c *config) { c.attrs.HttpOnly = httpOnly }
}

func (c *config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
	}
	switch {
	case c.expiresIn < time.Second:
		return bad("session expires-in must be at least one second (the cookie's Max-Age is whole seconds, and Max-Age=0 deletes the cookie), got %v", c.expiresIn)
	case c.cookieExpiresIn < 0 || (c.cookieExpiresIn > 0 && c.cookieExpiresIn < time.Second):
		return bad("cookie expires-in must be at least one second (Max-Age is whole seconds, and Max-Age=0 deletes the cookie), got %v", c.cookieExpiresIn)
	case c.browserSession && c.cookieExpiresIn > 0:
		return bad("WithBrowserSessionCookie (no Max-Age) and WithCookieExpiresIn (Max-Age=%d) contradict each other: choose one", int(c.cookieExpiresIn/time.Second))
	case c.now == nil:
		return bad("nil clock")
	case c.codec == nil:
		return bad("nil codec")
	}
	if c.hostPrefix && !hasPrefixFold(c.cookieName, hostPrefix) {
		c.cookieName = hostPrefix + c.cookieName
	}
	if err := checkCookie(c.cookieName, c.attrs); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOption, err)
	}
	return nil
}
