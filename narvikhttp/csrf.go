package narvikhttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// safeMethod reports whether the method is one that must not change state
// (RFC 9110 section 9.2.1), and so is exempt from the CSRF check.
func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// checkOrigin decides whether an unsafe request comes from this site or a
// trusted origin. It returns nil to let it through, or an error wrapping
// ErrCrossOrigin that says why not.
//
// The order follows what browsers send:
//
//  1. Sec-Fetch-Site, set by every current browser and impossible for a page
//     to forge: same-origin and none (the user's own navigation) pass;
//     same-site and cross-site pass only with a trusted Origin.
//  2. Without it (older browsers, plain-HTTP hosts other than localhost),
//     Origin must name this host (with https when the request came over TLS)
//     or a trusted origin. "Origin: null" (sandboxed frames, some redirects)
//     never passes.
//  3. Without Origin too, Referer is compared the same way.
//  4. Without any of them the request is refused. Every browser of the last
//     years sends Origin on unsafe requests, so such a request is an old
//     browser or a hand-written client; an old browser is exactly what a
//     CSRF attack would use, and a hand-written client can send Origin (or
//     use Bearer tokens, which the check does not apply to).
//
// Go 1.25's http.CrossOriginProtection differs on 4: it lets a request with
// neither Sec-Fetch-Site nor Origin through, and it never reads Referer.
func checkOrigin(r *http.Request, trusted map[string]bool) error {
	origin := r.Header.Get("Origin")
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		switch site {
		case "same-origin", "none":
			return nil
		}
		if canon, ok := parseOrigin(origin); ok && trusted[canon] {
			return nil
		}
		return fmt.Errorf("%w: Sec-Fetch-Site is %q and Origin %q is not trusted", ErrCrossOrigin, site, origin)
	}
	if origin != "" {
		if sameOrigin(r, origin, trusted) {
			return nil
		}
		return fmt.Errorf("%w: Origin %q does not match host %q", ErrCrossOrigin, origin, r.Host)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		if err == nil && u.Scheme != "" && u.Host != "" && sameOrigin(r, u.Scheme+"://"+u.Host, trusted) {
			return nil
		}
		return fmt.Errorf("%w: Referer does not match host %q", ErrCrossOrigin, r.Host)
	}
	return errNoOrigin
}

// sameOrigin reports whether origin is a trusted origin or the request's
// own: same host and port, http or https, and https when the request
// arrived over TLS. Without TLS the scheme is not knowable (a proxy may have
// terminated TLS), so both are accepted.
func sameOrigin(r *http.Request, origin string, trusted map[string]bool) bool {
	canon, ok := parseOrigin(origin)
	if !ok {
		return false
	}
	if trusted[canon] {
		return true
	}
	scheme, host, _ := strings.Cut(canon, "://")
	switch {
	case r.Host == "":
		return false
	case scheme == "https":
	case scheme == "http" && r.TLS == nil:
	default:
		return false
	}
	return host == canonicalHost(scheme, r.Host)
}

func isCrossOrigin(err error) bool { return errors.Is(err, ErrCrossOrigin) }
