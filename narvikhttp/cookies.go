package narvikhttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/narvik-go/narvik"
)

// maxCandidates bounds the session cookies of one request that the
// middleware looks at, and so the store calls one request can cause.
const maxCandidates = 4

// candidates appends to values the distinct non-empty values of the
// request's session cookies, in the order the browser sent them (most specific Path first,
// then oldest), at most maxCandidates of them. present reports whether the
// request carries any cookie of that name (an empty one included), more
// whether there were more values than maxCandidates.
func (m *Middleware[D]) candidates(r *http.Request, values []string) (_ []string, present, more bool) {
	for _, c := range r.CookiesNamed(m.n.CookieName()) {
		present = true
		if c.Value == "" || contains(values, c.Value) {
			continue
		}
		if len(values) == maxCandidates {
			return values, true, true
		}
		values = append(values, c.Value)
	}
	return values, present, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// cookieResult is what the request's session cookies come to.
type cookieResult[D any] struct {
	session *narvik.Session[D] // nil: not signed in
	token   string             // the session's token, to re-set its cookie
	clear   bool               // send the blank cookie
}

// fromCookies validates the request's session cookies. A request may carry
// several cookies of the same name: one set by another host of the site
// (Domain=.example.com, or a more specific Path), an old one, junk. The
// rules, so that nobody can sign a browser out with junk, nor into their
// own account next to the real one:
//
//   - every candidate (see candidates) is validated, in order; a store
//     error fails the request, as always;
//   - the valid ones decide: none, not signed in; all of one user, the
//     first of them; of different users, not signed in either, since
//     nothing says which cookie this site set (a warning is logged);
//   - the blank cookie is sent only when every candidate was looked at and
//     none is valid, so an unknown duplicate never deletes a valid cookie.
//
// A __Host- cookie name (narvik.WithCookieHostPrefix) stops other hosts
// from setting such duplicates at all.
func (m *Middleware[D]) fromCookies(r *http.Request) (cookieResult[D], error) {
	var res cookieResult[D]
	var buf [maxCandidates]string
	values, present, more := m.candidates(r, buf[:0])
	if !present {
		return res, nil
	}
	ambiguous := false
	for _, v := range values {
		s, err := m.n.ValidateSession(r.Context(), v)
		if err != nil {
			return cookieResult[D]{}, err
		}
		switch {
		case s == nil:
		case res.session == nil:
			res.session, res.token = s, v
		case s.UserID != res.session.UserID:
			ambiguous = true
		}
	}
	if ambiguous {
		m.log.WarnContext(r.Context(), "narvikhttp: the request carries session cookies of different users; treating it as signed out. Another host of the site may have set one (use a __Host- cookie name: narvik.WithCookieHostPrefix)",
			"cookie", m.n.CookieName(), "host", r.Host, "path", r.URL.Path)
		return cookieResult[D]{}, nil
	}
	res.clear = res.session == nil && !more
	return res, nil
}

// setCookie writes c as narvik serialises it, replacing any Set-Cookie for
// the same name already on w: the middleware may have re-set the cookie
// before the handler ends the session, and only the last word must reach
// the browser. It makes the response private (see keepPrivate) and warns
// once when a Secure cookie is sent where the browser will drop it. r is
// nil when the request is not known.
func (m *Middleware[D]) setCookie(w http.ResponseWriter, r *http.Request, c narvik.Cookie) {
	line := c.Serialize()
	if line == "" { // not Valid; cookies of a Narvik always are
		return
	}
	hdr := w.Header()
	kept := hdr["Set-Cookie"][:0]
	for _, v := range hdr["Set-Cookie"] {
		if !strings.HasPrefix(v, m.cookiePrefix) {
			kept = append(kept, v)
		}
	}
	hdr["Set-Cookie"] = append(kept, line)
	keepPrivate(hdr, m.cookiePrefix)
	if r != nil && c.Value != "" && m.secure && !m.warnedPlain.Load() && plainHTTP(r) {
		if m.warnedPlain.CompareAndSwap(false, true) {
			m.log.WarnContext(r.Context(), "narvikhttp: the session cookie is Secure, but this request came over plain HTTP from a host other than localhost: browsers drop the cookie, so the user stays signed out. Serve the site over HTTPS (behind a TLS proxy, have it send X-Forwarded-Proto: https), use http://localhost in development, or turn Secure off for plain-HTTP development only (narvik.WithCookieSecure(false)). Logged once.",
				"cookie", m.n.CookieName(), "host", r.Host)
		}
	}
}

// plainHTTP reports whether r reached the server over plain HTTP from a
// host where browsers refuse Secure cookies: not TLS, not marked as
// forwarded from TLS by a proxy, and not localhost or a loopback address
// (which browsers treat as secure).
func plainHTTP(r *http.Request) bool {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") ||
		strings.Contains(strings.ToLower(r.Header.Get("Forwarded")), "proto=https") {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}

// keepPrivate makes a response that carries the session cookie (a
// Set-Cookie line starting with prefix) uncacheable by shared caches, so a
// CDN or proxy never stores one user's cookie and hands it to others. A
// Cache-Control that already says private or no-store is kept as it is;
// otherwise "public" and "s-maxage" are removed and "private" is added, and
// the other directives (max-age, no-cache, ...) stay for the browser.
func keepPrivate(h http.Header, prefix string) {
	carries := false
	for _, v := range h["Set-Cookie"] {
		if strings.HasPrefix(v, prefix) {
			carries = true
			break
		}
	}
	if !carries {
		return
	}
	values := h.Values("Cache-Control")
	if len(values) == 0 {
		h.Set("Cache-Control", "private")
		return
	}
	var kept []string
	for _, v := range values {
		for d := range strings.SplitSeq(v, ",") {
			d = strings.TrimSpace(d)
			name, _, hasArg := strings.Cut(d, "=")
			switch name = strings.ToLower(strings.TrimSpace(name)); {
			case d == "":
			case name == "no-store", name == "private" && !hasArg:
				return // already uncacheable by shared caches
			case name == "public", name == "s-maxage", name == "private":
				// private="field" still lets a shared cache store the rest.
			default:
				kept = append(kept, d)
			}
		}
	}
	h.Set("Cache-Control", strings.Join(append([]string{"private"}, kept...), ", "))
}

// cookieWriter passes a response through, and applies keepPrivate to its
// header just before it is written: the handler may set the cookie
// (StartSession, EndSession) or change Cache-Control after the middleware
// did. It unwraps for http.ResponseController, and flushes.
type cookieWriter struct {
	http.ResponseWriter
	prefix  string
	written bool
}

func (w *cookieWriter) before() {
	if !w.written {
		w.written = true
		keepPrivate(w.Header(), w.prefix)
	}
}

// finish covers a handler that wrote nothing: net/http writes the header
// after the handler returns.
func (w *cookieWriter) finish() { w.before() }

func (w *cookieWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.before() // 1xx informational headers do not carry the cookie
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cookieWriter) Write(b []byte) (int, error) {
	w.before()
	return w.ResponseWriter.Write(b)
}

// ReadFrom keeps io.Copy on the wrapped writer's fast path (sendfile).
func (w *cookieWriter) ReadFrom(r io.Reader) (int64, error) {
	w.before()
	return io.Copy(w.ResponseWriter, r)
}

func (w *cookieWriter) Flush() {
	w.before()
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over (WebSockets), when the wrapped writer
// can.
func (w *cookieWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *cookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
