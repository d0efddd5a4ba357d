package narvik

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// SameSite is the value of a cookie's SameSite attribute, lowercase as
// narvik's configuration spells it. The empty value writes no attribute.
type SameSite string

// SameSite values.
const (
	SameSiteLax    SameSite = "lax"
	SameSiteStrict SameSite = "strict"
	SameSiteNone   SameSite = "none"
)

// NoMaxAge as CookieAttributes.MaxAge writes no Max-Age attribute: the cookie
// lives until the browser session ends.
const NoMaxAge = -1

// CookieAttributes are the attributes of a session cookie. Zero values write
// nothing, except MaxAge, where 0 is written as Max-Age=0 (delete the cookie)
// and NoMaxAge (any negative value) writes nothing.
type CookieAttributes struct {
	Domain   string
	Path     string
	MaxAge   int // seconds
	SameSite SameSite
	Secure   bool
	HttpOnly bool
}

// Cookie is a session cookie as narvik builds it. Each call to CreateCookie
// or CreateBlankCookie returns a new value, so changing one cookie's fields
// changes no other. A changed cookie must still obey the rules New enforces
// (see Valid): Serialize and HTTPCookie write nothing for one that does not.
type Cookie struct {
	Name       string
	Value      string
	Attributes CookieAttributes
}

// Valid reports whether a browser would take the cookie as written, by the
// rules New applies to its options: a name of letters, digits and
// -_.!~*' only; a Domain that is a host name; a Path that starts with "/"
// and holds no ';', ',', '"', backslash, space or control character; a known
// SameSite, and Secure with SameSite=None; Secure for a "__Secure-" name;
// Secure, Path=/ and no Domain for a "__Host-" name (prefixes compared
// without case, as browsers do). The error wraps ErrInvalidOption and names
// the rule. The value needs no rule: it is always percent-encoded.
//
// Cookies from CreateCookie and CreateBlankCookie are valid; a cookie whose
// fields were changed by hand, for instance with a Domain taken from a
// request, may not be.
func (c Cookie) Valid() error {
	if err := checkCookie(c.Name, c.Attributes); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidOption, err)
	}
	return nil
}

// Serialize returns the cookie as a Set-Cookie header value, byte for byte
// as narvik serialises it: name and value percent-encoded as JavaScript's
// encodeURIComponent does, then Domain, Max-Age, Path, SameSite, Secure and
// HttpOnly in that order, joined by "; ". There is never an Expires
// attribute.
//
// For a cookie that Valid refuses, Serialize returns "": an attribute that
// could inject another attribute or header (Domain "x; Domain=evil.example")
// or that a browser would drop is never written, and "" sets nothing
// (narvikhttp never sends an empty Set-Cookie; net/http's Header.Add would).
// Call Valid first to learn why.
func (c Cookie) Serialize() string {
	if checkCookie(c.Name, c.Attributes) != nil {
		return ""
	}
	var b strings.Builder
	b.Grow(len(c.Name) + len(c.Value) + 80)
	encodeURIComponent(&b, c.Name)
	b.WriteByte('=')
	encodeURIComponent(&b, c.Value)
	a := c.Attributes
	if a.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(a.Domain)
	}
	if a.MaxAge >= 0 {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(a.MaxAge))
	}
	if a.Path != "" {
		b.WriteString("; Path=")
		b.WriteString(a.Path)
	}
	if a.SameSite != "" {
		b.WriteString("; SameSite=")
		b.WriteString(a.SameSite.title())
	}
	if a.Secure {
		b.WriteString("; Secure")
	}
	if a.HttpOnly {
		b.WriteString("; HttpOnly")
	}
	return b.String()
}

// String returns Serialize().
func (c Cookie) String() string { return c.Serialize() }

// HTTPCookie returns the cookie as an *http.Cookie for http.SetCookie. The
// attributes are the same; net/http writes them in its own order, so use
// Serialize when the exact bytes matter. For a cookie that Valid refuses it
// returns nil, which http.SetCookie ignores.
func (c Cookie) HTTPCookie() *http.Cookie {
	if checkCookie(c.Name, c.Attributes) != nil {
		return nil
	}
	var name, value strings.Builder
	encodeURIComponent(&name, c.Name)
	encodeURIComponent(&value, c.Value)
	hc := &http.Cookie{
		Name:     name.String(),
		Value:    value.String(),
		Domain:   c.Attributes.Domain,
		Path:     c.Attributes.Path,
		Secure:   c.Attributes.Secure,
		HttpOnly: c.Attributes.HttpOnly,
	}
	switch {
	case c.Attributes.MaxAge > 0:
		hc.MaxAge = c.Attributes.MaxAge
	case c.Attributes.MaxAge == 0:
		hc.MaxAge = -1 // net/http's way of writing Max-Age=0
	}
	switch c.Attributes.SameSite {
	case SameSiteLax:
		hc.SameSite = http.SameSiteLaxMode
	case SameSiteStrict:
		hc.SameSite = http.SameSiteStrictMode
	case SameSiteNone:
		hc.SameSite = http.SameSiteNoneMode
	}
	return hc
}

// title capitalises the first letter, as narvik does: "lax" -> "Lax".
func (s SameSite) title() string {
	switch s {
	case SameSiteLax:
		return "Lax"
	case SameSiteStrict:
		return "Strict"
	case SameSiteNone:
		return "None"
	}
	v := string(s)
	if c := v[0]; 'a' <= c && c <= 'z' {
		return string(c-'a'+'A') + v[1:]
	}
	return v
}

// encodeURIComponent writes s percent-encoded as JavaScript's
// encodeURIComponent does: letters, digits and -_.!~*'() stay, every other
// byte of the UTF-8 encoding becomes %XX.
func encodeURIComponent(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
}

func uriUnreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '!', '~', '*', '\'', '(', ')':
		return true
	}
	return false
}

// The cookie name prefixes browsers give a meaning to (RFC 6265bis section
// 4.1.3), matched without case as current browsers do.
const (
	hostPrefix   = "__Host-"
	securePrefix = "__Secure-"
)

// checkCookie applies the rules of Cookie.Valid. Its errors say the rule;
// callers wrap them in ErrInvalidOption.
func checkCookie(name string, a CookieAttributes) error {
	switch {
	case !validCookieName(name):
		return fmt.Errorf("cookie name %q: use letters, digits and -_.!~*' only", name)
	case !validDomain(a.Domain):
		return fmt.Errorf("cookie domain %q: want a host name of letters, digits, '-' and '.'", a.Domain)
	case !validPath(a.Path):
		return fmt.Errorf("cookie path %q: want '/' then printable ASCII without space, ';', '\"', '\\\\' or ','", a.Path)
	}
	switch a.SameSite {
	case "", SameSiteLax, SameSiteStrict:
	case SameSiteNone:
		if !a.Secure {
			return errors.New("SameSite=None requires Secure: browsers reject such cookies")
		}
	default:
		return fmt.Errorf("SameSite %q: want lax, strict, none or empty", a.SameSite)
	}
	switch {
	case hasPrefixFold(name, hostPrefix):
		if !a.Secure || a.Domain != "" || a.Path != "/" {
			return fmt.Errorf("cookie name %q: a __Host- cookie must be Secure, have Path=/ and no Domain (got Secure=%t, Path=%q, Domain=%q); browsers drop it otherwise", name, a.Secure, a.Path, a.Domain)
		}
	case hasPrefixFold(name, securePrefix):
		if !a.Secure {
			return fmt.Errorf("cookie name %q: a __Secure- cookie must be Secure; browsers drop it otherwise", name)
		}
	}
	return nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
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
