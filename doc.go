// Package narvik is server-side session authentication: a Go port of the
// TypeScript library narvik (itself in the style of Lucia v3), over storage
// drivers you choose.
//
// A session is created at sign-in and named by a random token that goes to
// the client, in a cookie or an Authorization header. Only the token's
// SHA-256 (the session ID) is stored, so a copy of the database cannot be
// replayed. Each request validates the token; a session is extended by its
// full length once half of it or less remains, and deleted once expired:
//
//	store, err := boltstore.Open("sessions.db")  // or memstore, redisstore, mongostore, dynamostore
//	auth, err := narvik.New[MyData](store)
//
//	res, err := auth.CreateSession(ctx, userID, MyData{...}) // at sign-in
//	http.SetCookie(w, auth.CreateCookie(res.Token).HTTPCookie())
//
//	s, err := auth.ValidateSession(ctx, token) // every request
//	switch {
//	case err != nil: // the store failed: answer 500, never "signed in"
//	case s == nil:   // not signed in: set auth.CreateBlankCookie()
//	case s.Extended: // re-set the cookie so its lifetime follows
//	}
//
//	auth.InvalidateSession(ctx, s.ID) // sign out
//	auth.DeleteSessionsForUser(ctx, s.UserID) // sign out everywhere
//
// Package narvikhttp wraps this in net/http middleware with CSRF protection.
//
// # Behaviour kept from narvik
//
// Tokens are 20 bytes from crypto/rand in lowercase base32 without padding;
// the ID is the lowercase hex SHA-256 of the token; sessions last 30 days by
// default; a session is expired when now >= ExpiresAt and extended when now >=
// ExpiresAt - length/2; cookies serialise byte for byte as narvik's
// (Cookie.Serialize).
//
// # Where this port is stricter
//
//   - A token that is not 32 characters of [a-z2-7] is answered (nil, nil)
//     without a store call.
//   - Bad input gets typed errors: ErrNilStore, ErrInvalidOption (including
//     every cookie a browser would drop: SameSite=None without Secure, a
//     __Host- or __Secure- name without the attributes its prefix demands,
//     a session shorter than a second, whose Max-Age=0 would delete the
//     cookie it sets), ErrEmptyUserID, ErrEncodeData.
//   - Cookie.Serialize writes nothing for a cookie whose fields were changed
//     to values New would refuse (Cookie.Valid says why), so a Domain or
//     Path taken from a request cannot inject an attribute.
//   - Store errors never yield a session, and neither does a record for
//     another ID or data that does not decode (ErrBadRecord).
//   - FetchSessionsForUser never returns an expired session.
//   - Times are whole milliseconds, the clock is injectable (WithClock), and
//     Max-Age is whole seconds.
//
// # Stores
//
// A SessionStore keeps Records. The contract, written on SessionStore, asks
// every driver for put-if-absent saves, expiry updates that never recreate a
// deleted session, records that are invisible once expired even before they
// are deleted, and per-user listing and deletion. Package conformance checks
// all of it; run it on your own driver.
package narvik
