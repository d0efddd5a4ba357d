// Command ferretdb-testserver runs an embedded FerretDB (SQLite backend) that
// speaks the MongoDB wire protocol on a loopback address. It exists only to
// test drivers/mongostore on machines where no real mongod can be installed.
//
// It is its own Go module so that FerretDB's dependencies never enter the
// library's go.mod.
//
//	ferretdb-testserver -listen 127.0.0.1:27018 -dir .services/ferretdb/data
//
// It prints the MongoDB URI on stdout once it accepts connections and shuts
// down cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27018", "TCP address to listen on (keep it on loopback)")
	dir := flag.String("dir", "", "directory for the SQLite databases (created if missing; required)")
	logLevel := flag.String("log-level", "warn", "FerretDB log level: debug, info, warn or error")
	flag.Parse()
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("ferretdb-testserver: -log-level: %v", err)
	}
	if *dir == "" {
		log.Fatal("ferretdb-testserver: -dir is required")
	}
	if err := run(*listen, *dir, level); err != nil {
		log.Fatalf("ferretdb-testserver: %v", err)
	}
}

func run(listen, dir string, level slog.Level) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// Announce the URI only once the port accepts connections, so a caller
	// that reads the first line of stdout can connect at once.
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", listen, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-done:
			return fmt.Errorf("server stopped before it was ready: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("server not ready after 30s")
		}
	}
	fmt.Println(f.MongoDBURI())

	err = <-done
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
