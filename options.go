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

// WithSessionExpiresIn sets the session length (default 30 days). A session
// is extended by the full length once half of it or less remains.
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
// serialisation.
func WithCookieName(name string) Option {
	return func(c *config) { c.cookieName = name }
}

// WithCookieExpiresIn sets the cookie's Max-Age (default: the session
// length), in whole seconds, at least one. narvik's guides use a long cookie
// (one year) for frameworks that cannot re-set the cookie whenever a session
// is extended.
func WithCookieExpiresIn(d time.Duration) Option {
	return func(c *config) { c.cookieExpiresIn = d }
}

// WithBrowserSessionCookie makes session cookies carry no Max-Age, so they
// last until the browser session ends: the "cookie that does not expire"
// narvik promised for frameworks that cannot re-set cookies. The blank
// cookie still carries Max-Age=0.
func WithBrowserSessionCookie() Option {
	return func(c *config) { c.browserSession = true }
}

// WithCookieDomain sets the cookie's Domain attribute (default none).
func WithCookieDomain(domain string) Option {
	return func(c *config) { c.attrs.Domain = domain }
}

// WithCookiePath sets the cookie's Path attribute (default "/").
func WithCookiePath(path string) Option {
	return func(c *config) { c.attrs.Path = path }
}

// WithCookieSecure sets the cookie's Secure flag (default true). Turn it off
// only for plain-HTTP development.
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
	case c.expiresIn <= 0:
		return bad("session expires-in must be positive, got %v", c.expiresIn)
	case c.cookieExpiresIn < 0 || (c.cookieExpiresIn > 0 && c.cookieExpiresIn < time.Second):
		return bad("cookie expires-in must be at least one second, got %v", c.cookieExpiresIn)
	case c.now == nil:
		return bad("nil clock")
	case c.codec == nil:
		return bad("nil codec")
	case !validCookieName(c.cookieName):
		return bad("cookie name %q: use letters, digits and -_.!~*' only", c.cookieName)
	case !validDomain(c.attrs.Domain):
		return bad("cookie domain %q: want a host name of letters, digits, '-' and '.'", c.attrs.Domain)
	case !validPath(c.attrs.Path):
		return bad("cookie path %q: want '/' then printable ASCII without space, ';', '\"', '\\\\' or ','", c.attrs.Path)
	}
	switch c.attrs.SameSite {
	case "", SameSiteLax, SameSiteStrict:
	case SameSiteNone:
		if !c.attrs.Secure {
			return bad("SameSite=None requires Secure; browsers reject such cookies")
		}
	default:
		return bad("SameSite %q: want lax, strict, none or empty", c.attrs.SameSite)
	}
	return nil
}

func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !uriUnreserved(c) || c == '(' || c == ')' {
			return false
		}
	}
	return true
}

// validDomain accepts "" (no attribute) or a host name.
func validDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validPath accepts "" (no attribute) or an absolute path of printable
// ASCII without ';', '"', '\\' or ',': what every cookie parser keeps as it
// is. Percent-encode anything else.
func validPath(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c <= ' ' || c >= 0x7f, c == ';', c == '"', c == '\\', c == ',':
			return false
		}
	}
	return true
}
