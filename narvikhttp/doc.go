// Package narvikhttp connects narvik sessions to net/http.
//
// A Handler wraps an application's handlers. For every request its
// middleware reads the session cookie (or, with WithBearerTokens, an
// "Authorization: Bearer" token), validates it with narvik, and puts the
// session in the request context, where SessionFrom finds it with its typed
// data:
//
//	h, err := narvikhttp.New(n) // n is a *narvik.Narvik[MyData]
//	...
//	mux.Handle("GET /me", h.RequireSession(meHandler))
//	http.ListenAndServe(addr, h.Wrap(mux))
//
//	func meHandler(w http.ResponseWriter, r *http.Request) {
//		s, _ := narvikhttp.SessionFrom[MyData](r.Context())
//		...
//	}
//
// The middleware keeps the cookie in step with the session, writing the
// exact bytes of narvik's Cookie.Serialize: it re-sets the cookie when the
// session is new or was extended, and sets the blank cookie (Max-Age=0)
// when a presented cookie names no valid session. StartSession signs a user
// in (create the session, set the cookie) and EndSession signs the device
// out (invalidate, blank cookie); RequireSession answers 401 to requests
// without a session.
//
// # Failures
//
// A store failure never looks like "signed in": the middleware answers it
// through the error handler (500 by default, see WithErrorHandler) and does
// not call the wrapped handler. It does not clear the cookie either, since
// the session may well be valid once the store is back.
//
// # CSRF protection
//
// A browser attaches cookies to requests that other sites make it send, so
// every unsafe request (any method but GET, HEAD, OPTIONS and TRACE) that is
// not authenticated by a Bearer header must prove that it comes from this
// site. The check is on by default and runs before any store call;
// a refused request gets 403 Forbidden (through the error handler, with an
// error matching ErrCrossOrigin). It applies to requests without a session
// too, so that another site cannot sign the browser into an account of its
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
//     use Bearer tokens.
//
// Safe methods are never checked, so they must not change state. The check
// does not need SameSite cookies, but it works well with narvik's default
// SameSite=Lax. WithoutCSRF turns it off; that is dangerous unless every
// unsafe route is protected some other way.
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
