// Command webapp is narvik's demo: a small web app with sign-in, sign-up
// and a "your sessions" page, over the session store of your choice.
//
//	go run ./examples/webapp                      # http://127.0.0.1:8080, bbolt file
//	go run ./examples/webapp -store memory
//	go run ./examples/webapp -addr :8443 -tls-cert cert.pem -tls-key key.pem
//	go run ./examples/webapp -metrics-addr 127.0.0.1:9090  # Prometheus metrics at /metrics
//
// Cookies are not Secure by default, because the demo serves plain HTTP on
// 127.0.0.1 and a Secure cookie is not sent back over plain HTTP by every
// client. Serving TLS (-tls-cert, -tls-key) or passing -secure (behind a
// TLS-terminating proxy) makes them Secure and names them __Host-.
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
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

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
	storeSpec := flag.String("store", defStore, storeHelp)
	secure := flag.Bool("secure", false, "Secure, __Host- cookies (set it behind a TLS-terminating proxy; implied by -tls-cert)")
	tlsCert := flag.String("tls-cert", "", "serve HTTPS with this certificate file (PEM)")
	tlsKey := flag.String("tls-key", "", "key file for -tls-cert (PEM)")
	origins := flag.String("trusted-origins", "", "comma-separated extra origins allowed to POST, e.g. https://app.example.com")
	metricsAddr := flag.String("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics on a listener of its own, e.g. 127.0.0.1:9090 (default off)")
	flag.Parse()
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	useTLS := *tlsCert != ""

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, desc, closeStore, err := openStore(ctx, *storeSpec)
	if err != nil {
		return err
	}
	defer func() {
		if err := closeStore(); err != nil {
			slog.Error("close store", "err", err)
		}
	}()

	var trusted []string
	if *origins != "" {
		trusted = strings.Split(*origins, ",")
	}
	cfg := app.Config{Store: store, SecureCookies: *secure || useTLS, TrustedOrigins: trusted}
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
	a, err := app.New(cfg)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
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
	for _, c := range app.DemoUsers {
		fmt.Printf("  sign in as %s / %s\n", c.Username, c.Password)
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
