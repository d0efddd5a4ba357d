package app

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// client is what the app knows of where a request comes from, worked out
// once per request.
type client struct {
	// addr is the client's address: the peer's, or, when the peer is a
	// trusted proxy, the nearest address in X-Forwarded-For that is not a
	// trusted proxy. The rate limits and the sessions page use it.
	addr netip.Addr
	// local: a plain-HTTP request, straight from a loopback peer (no
	// forwarding header), to a loopback host name (localhost, 127.0.0.0/8,
	// ::1). Only such a request gets a cookie that is not Secure.
	local bool
	// https: the request came over TLS, or a trusted proxy says the
	// browser used HTTPS (X-Forwarded-Proto).
	https bool
}

// forwardingHeaders mark a request that a proxy passed on. Untrusted, they
// can only make the app stricter: such a request never counts as local.
var forwardingHeaders = []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"}

// clientOf works out r's client. X-Forwarded-For and X-Forwarded-Proto are
// believed only from a peer in a.proxies: anyone else can write them.
func (a *App) clientOf(r *http.Request) client {
	var c client
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err == nil {
		c.addr = peer.Addr().Unmap()
	}
	proxied := false
	for _, h := range forwardingHeaders {
		if r.Header.Get(h) != "" {
			proxied = true
			break
		}
	}
	c.https = r.TLS != nil
	if a.trustedProxy(c.addr) {
		c.addr = a.forwardedFor(r, c.addr)
		proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		c.https = c.https || strings.EqualFold(strings.TrimSpace(proto), "https")
	}
	c.local = r.TLS == nil && !proxied && err == nil && peer.Addr().Unmap().IsLoopback() && loopbackHost(r.Host)
	return c
}

func (a *App) trustedProxy(addr netip.Addr) bool {
	for _, p := range a.proxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// forwardedFor walks X-Forwarded-For from the right (the hop nearest this
// server) past trusted proxies, and returns the first address that is not
// one: the client as the last trusted proxy saw it. Anything further left
// could have been written by the client. An unreadable entry stops the walk
// at the proxy that passed it on.
func (a *App) forwardedFor(r *http.Request, peer netip.Addr) netip.Addr {
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		addr = hop.Unmap()
		if !a.trustedProxy(addr) {
			return addr
		}
	}
	return addr
}

// loopbackHost reports whether a Host header names this machine's loopback:
// localhost, 127.0.0.0/8 or ::1.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// request is what the app's dispatcher works out once and the handlers
// read: the client, and the cookie flavour that serves it.
type request struct {
	client client
	site   *site
}

type requestKey struct{}

func withRequest(ctx context.Context, req *request) context.Context {
	return context.WithValue(ctx, requestKey{}, req)
}

// requestOf returns what the dispatcher put in r. Every handler runs under
// it.
func requestOf(r *http.Request) *request {
	return r.Context().Value(requestKey{}).(*request)
}
