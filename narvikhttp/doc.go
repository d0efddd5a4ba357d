// Package narvikhttp connects narvik sessions to net/http.
//
// A Middleware wraps an application's handlers. For every request its Wrap
// method reads the session cookie (or, with WithBearerTokens, an
// "Authorization: Bearer" token), validates it with narvik, and puts the
// session in the request context, where Middleware.Session finds it with
// its typed data:
//
//	m, err := narvikhttp.New(n) // n is a *narvik.Narvik[MyData]
//	...
//	mux.Handle("GET /me", m.RequireSessionFunc(func(w http.ResponseWriter, r *http.Request) {
//		s, _ := m.Session(r) // *narvik.Session[MyData]
//		...
//	}))
//	http.ListenAndServe(addr, m.Wrap(mux))
//
// The middleware keeps the cookie in step with the session, writing the
// exact bytes of narvik's Cookie.Serialize: it re-sets the cookie when the
// session was extended, and sets the blank cookie (Max-Age=0) when the
// presented cookies name no valid session. StartSession signs a user in
// (create the session, set the cookie) and EndSession signs the device out
// (invalidate, blank cookie); RequireSession answers 401 to requests
// without a session. A response that carries the session cookie gets
// "Cache-Control: private" (see Wrap), so that no shared cache stores it.
//
// SessionFrom[D] reads the session from a context where the Middleware is
// out of reach; with a D other than the Middleware's it panics rather than
// report every request as signed out.
//
// # Failures
//
// A store failure never looks like "signed in": the middleware answers it
// through the error handler (500 by default, see WithErrorHandler) and does
// not call the wrapped handler. It does not clear the cookie either, since
// the session may well be valid once the store is back.
//
// # Cookies and HTTPS
//
// narvik's cookies are Secure by default: browsers store them only from
// HTTPS responses, or from http://localhost and loopback addresses, which
// Chromium and Firefox treat as secure. Served over plain HTTP from any
// other host name, the cookie is dropped without a word and every request
// after sign-in is signed out; the middleware logs a warning the first time
// it sends a Secure cookie on such a request (see WithLogger). Behind a
// proxy that terminates TLS, have the proxy send "X-Forwarded-Proto: https".
// For development, use http://localhost, or narvik.WithCookieSecure(false)
// on a plain-HTTP host name (never in production).
//
// # Duplicate cookies
//
// A request may carry several cookies of the session's name: another host
// of the site can set one for the whole domain (Domain=example.com) or for
// a narrower Path, which the browser then sends first. The middleware looks
// at up to four distinct values, in the order sent, and:
//
//   - never signs the browser out because of a duplicate: malformed,
//     unknown or expired values are skipped, and the blank cookie is sent
//     only when every value was looked at and none names a valid session;
//   - uses the first valid session when all valid ones are the same user's;
//   - treats the request as signed out when they belong to different users,
//     since nothing tells which cookie this site set, and logs a warning:
//     a planted cookie cannot put the browser in another user's account
//     next to its own. StartSession and EndSession end every session the
//     cookies name, so signing in or out again clears the state.
//
// A cookie planted while the browser holds no other is indistinguishable
// from a real one. The remedy is a "__Host-" cookie name
// (narvik.WithCookieHostPrefix): browsers accept such a cookie only from
// this host, Secure, with Path=/ and no Domain, so no other host can plant
// or shadow it.
//
// # CSRF protection
//
// A browser attaches cookies to requests that other sites make it send, so
// every unsafe request (any method but GET, HEAD, OPTIONS and TRACE) that is
// not authenticated by a valid Bearer token must prove that it comes from
// this site. The check is on by default and runs before any store call
// (for a Bearer request, once the token has proved invalid); a refused
// request gets 403 Forbidden (through the error handler, with an error
// matching ErrCrossOrigin). It applies to requests without a session too,
// so that another site cannot sign the browser into an account of its
// choosing. In order:
//
//  1. Sec-Fetch-Site, which browsers set and pages cannot forge:
//     "same-origin" and "none" pass; "same-site" and "cross-site" pass only
//     when the Origin is one of WithTrustedOrigins.
//  2. Otherwise Origin must be this request's host (compared with the Host
//     header, port included; with https when the request came over TLS) or
//     a trusted origin. "Origin: null" never passes.
//  3. Otherwise Referer is compared the same way.
//  4. With none of the three the request is refused: current browsers send
//     Origin on every unsafe request, so this is an old browser (the one an
//     attacker would pick) or a program, which can send an Origin header or
//     use Bearer tokens. DefaultErrorHandler's 403 says so.
//
// Safe methods are never checked, so they must not change state. The check
// does not need SameSite cookies, but it works well with narvik's default
// SameSite=Lax. WithoutCSRF turns it off; that is dangerous unless every
// unsafe route is protected some other way.
//
// A Bearer header is the request's only credential: the cookie is then
// neither read nor changed. A valid token exempts the request from the
// check (a cross-site page cannot attach the header without a CORS
// preflight); an invalid one exempts nothing.
//
// Go 1.25's http.CrossOriginProtection follows the same idea, but lets a
// request with neither Sec-Fetch-Site nor Origin through and never reads
// Referer; this package refuses such requests instead.
//
// # Behind a proxy
//
// The host comparison uses the Host header the server receives. A reverse
// proxy must pass the browser's Host through (or the public origin must be
// listed with WithTrustedOrigins).
package narvikhttp
