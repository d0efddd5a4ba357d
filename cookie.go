package narvik

import (
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

// Cookie is a session cookie as narvik builds it. Change its fields freely:
// each call to CreateCookie or CreateBlankCookie returns a new value.
type Cookie struct {
	Name       string
	Value      string
	Attributes CookieAttributes
}

// Serialize returns the cookie as a Set-Cookie header value, byte for byte
// as narvik serialises it: name and value percent-encoded as JavaScript's
// encodeURIComponent does, then Domain, Max-Age, Path, SameSite, Secure and
// HttpOnly in that order, joined by "; ". There is never an Expires
// attribute.
func (c Cookie) Serialize() string {
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
// Serialize when the exact bytes matter.
func (c Cookie) HTTPCookie() *http.Cookie {
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
