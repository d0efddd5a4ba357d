// Command webapp is narvik's demo: a small web app with sign-in, sign-up
// and a "your sessions" page, over the session store of your choice.
//
//	go run ./examples/webapp                      # http://127.0.0.1:8080, bbolt file
//	go run ./examples/webapp -store memory
//	go run ./examples/webapp -addr :8443 -tls-cert cert.pem -tls-key key.pem
//	go run ./examples/webapp -metrics-addr 127.0.0.1:9090  # Prometheus metrics at /metrics
//	go run -tags redis ./examples/webapp -store redis://127.0.0.1:6379/0
//
// It is built with the memory and bolt stores only, so that its first run
// compiles no server client; the build tags redis, mongodb, dynamodb,
// postgres, mysql and sqlite each bring in one more driver, and all brings
// in every one (package internal/stores).
//
// Cookies are plain (not Secure) only on a request straight from this
// machine to http://localhost, 127.0.0.1 or [::1], where a Secure cookie is
// not sent back by every client; any other request gets a Secure
// __Host- cookie, which browsers keep only over HTTPS. Serving TLS
// (-tls-cert, -tls-key) or passing -secure makes every cookie Secure.
// Behind a TLS-terminating proxy, -trusted-proxy names it, so that its
// X-Forwarded-For and X-Forwarded-Proto count. The demo accounts alice and
// bob exist only for the local demo (plain HTTP on a loopback address)
// unless -demo-users says otherwise.
//
// -metrics-addr serves narvik's OpenTelemetry metrics (package narvikotel)
// in the Prometheus format at /metrics, on a listener of its own: the
// numbers of sign-ins and failed validations are for the operator, not for
// every visitor of the app, and a separate port can be bound to an internal
// interface or firewalled to the Prometheus server while the app faces the
// world. It is off by default.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/examples/webapp/app"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

func run() error {
	defStore := os.Getenv("NARVIK_STORE")
	if defStore == "" {
		defStore = "bolt"
	}
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	storeSpec := flag.String("store", defStore, storeHelp())
	secure := flag.Bool("secure", false, "Secure, __Host- cookies on every request, localhost included (implied by -tls-cert)")
	tlsCert := flag.String("tls-cert", "", "serve HTTPS with this certificate file (PEM)")
	tlsKey := flag.String("tls-key", "", "key file for -tls-cert (PEM)")
	origins := flag.String("trusted-origins", "", "comma-separated extra origins allowed to POST, e.g. https://app.example.com")
	proxies := flag.String("trusted-proxy", "", "comma-separated addresses or CIDRs of TLS-terminating proxies, e.g. 10.0.0.0/8: their X-Forwarded-For (the client's address) and X-Forwarded-Proto are believed")
	metricsAddr := flag.String("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics on a listener of its own, e.g. 127.0.0.1:9090 (default off)")
	demoUsers := flag.Bool("demo-users", false, "create the demo accounts alice and bob, whose passwords the sign-in page shows (default: only for the local demo, plain HTTP on a loopback address without -secure or -trusted-proxy)")
	flag.Parse()
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	useTLS := *tlsCert != ""
	trustedProxies, err := parseProxies(*proxies)
	if err != nil {
		return err
	}
	demoSet := false
	flag.Visit(func(f *flag.Flag) { demoSet = demoSet || f.Name == "demo-users" })

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	spec, dbPath, err := resolveStore(*storeSpec)
	if err != nil {
		return err
	}
	// Something at once, before a server that does not answer can hold
	// the start for up to openTimeout.
	fmt.Printf("opening the session store: %s\n", spec.Description())
	store, desc, closeStore, err := openStore(ctx, spec)
	if errors.Is(err, boltstore.ErrLocked) {
		return lockedError(err, dbPath)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err := closeStore(); err != nil {
			slog.Error("close store", "err", err)
		}
	}()

	cfg := app.Config{Store: store, SecureCookies: *secure || useTLS, TrustedProxies: trustedProxies, DemoAccounts: app.DemoAccountsOff}
	var metricsSrv *http.Server
	var metricsLn net.Listener
	if *metricsAddr != "" {
		m, err := newMetrics()
		if err != nil {
			return err
		}
		defer m.close(context.Background())
		if cfg.Store, err = m.wrap(store); err != nil {
			return err
		}
		cfg.Observer = m.observer
		if metricsLn, err = net.Listen("tcp", *metricsAddr); err != nil {
			return err
		}
		metricsSrv = &http.Server{Handler: m.handler, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if metricsLn != nil {
			metricsLn.Close()
		}
		return err
	}
	onLoopback := false
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		onLoopback = tcp.IP.IsLoopback()
	}
	if *origins != "" {
		cfg.TrustedOrigins = strings.Split(*origins, ",")
	}
	if demoSet && *demoUsers || !demoSet && onLoopback && !cfg.SecureCookies && len(trustedProxies) == 0 {
		cfg.DemoAccounts = app.DemoAccountsOn
	}
	a, err := app.New(cfg)
	if err != nil {
		ln.Close()
		if metricsLn != nil {
			metricsLn.Close()
		}
		return err
	}

	srv := &http.Server{
		Handler:           a,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	fmt.Printf("narvik demo: %s://%s\n", scheme, displayAddr(ln.Addr()))
	fmt.Printf("  sessions: %s\n", desc)
	if metricsLn != nil {
		fmt.Printf("  metrics: http://%s/metrics\n", displayAddr(metricsLn.Addr()))
	}
	if cfg.SecureCookies {
		fmt.Println("  cookies: Secure, __Host-narvik_session")
	} else {
		fmt.Println("  cookies: plain for http://localhost, 127.0.0.1 and [::1] from this machine; Secure __Host- for any other host (kept by browsers over HTTPS only)")
	}
	if a.DemoAccountsEnabled() {
		for _, c := range app.DemoUsers {
			fmt.Printf("  sign in as %s / %s\n", c.Username, c.Password)
		}
	} else {
		fmt.Println("  demo accounts: off (-demo-users turns them on); create an account at /signup")
	}
	fmt.Println("  Ctrl-C stops it.")

	errc := make(chan error, 2)
	go func() {
		if useTLS {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if metricsSrv != nil {
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
	}
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		sweep(ctx, a)
	}()
	// The store is closed (deferred above) only after the server and the
	// sweeper have stopped using it.
	defer func() { <-swept }()

	select {
	case err := <-errc:
		stop()
		return err
	case <-ctx.Done():
	}
	stop() // a second Ctrl-C kills at once
	fmt.Println("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if metricsSrv != nil {
		if err := metricsSrv.Shutdown(shutdownCtx); err != nil {
			slog.Error("shut down the metrics listener", "err", err)
		}
	}
	return srv.Shutdown(shutdownCtx)
}

// sweep deletes expired sessions hourly until ctx ends. Stores keep expired
// records invisible anyway; this only reclaims their space.
func sweep(ctx context.Context, a *app.App) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.DeleteExpiredSessions(ctx); err != nil {
				slog.Error("delete expired sessions", "err", err)
			} else if n > 0 {
				slog.Info("deleted expired sessions", "count", n)
			}
		}
	}
}

// parseProxies parses -trusted-proxy: addresses and CIDRs, comma-separated.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if p, err := netip.ParsePrefix(part); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(part)
		if err != nil {
			return nil, fmt.Errorf("-trusted-proxy %q: want an address or a CIDR, such as 10.0.0.5 or 10.0.0.0/8", part)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// lockedError says what to do about a bbolt file that another process
// holds: which process, when the system tells, and how to use another file.
func lockedError(err error, path string) error {
	holder := "another process"
	if h := lockHolder(path); h != "" {
		holder = h
	}
	return fmt.Errorf("%w\nThe file %s is in use by %s: stop it (another webapp on the same file?), or give this one another file: -store bolt:OTHERPATH (or -store memory)", err, path, holder)
}

// displayAddr shows a wildcard listener as localhost, so the URL printed
// is one to click.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
