package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
)

// openTimeout bounds opening a store: connecting, and the read that proves
// it answers.
const openTimeout = 30 * time.Second

// probeID is a well-formed session ID no token hashes to in practice: the
// read that proves a store is usable asks for it.
var probeID = strings.Repeat("0", 64)

// parseURL checks a store URL given as the flag name; a missing or bad one
// is a usage error.
func parseURL(name, raw string) (*storeurl.Spec, error) {
	if raw == "" {
		if name == "-store" {
			return nil, usageError("no store: give -store URL or set NARVIK_STORE")
		}
		return nil, usageError("%s URL is required", name)
	}
	spec, err := storeurl.Parse(raw)
	if err != nil {
		return nil, usageError("%s: %v", name, err)
	}
	return spec, nil
}

// open opens the store spec names. With ready, it also reads from it, so
// that a missing table or schema is found before anything is written.
func open(ctx context.Context, spec *storeurl.Spec, ready bool, opts ...storeurl.Option) (*storeurl.Opened, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	o, err := spec.Open(ctx, opts...)
	switch {
	case errors.Is(err, storeurl.ErrBadURL):
		return nil, usageError("%v", err)
	case err != nil:
		return nil, unavailable(err)
	}
	if !ready {
		return o, nil
	}
	if _, err := o.Store.FetchSession(ctx, probeID); err != nil && !errors.Is(err, narvik.ErrSessionNotFound) {
		o.Close()
		return nil, unavailable(fmt.Errorf("%s does not answer a read: %w (if its table or schema is missing, run: narvik ensure-schema -store URL)", spec.Description(), err))
	}
	return o, nil
}

// openFlag parses the URL given as the flag name and opens it ready for
// use.
func openFlag(ctx context.Context, name, raw string) (*storeurl.Opened, error) {
	spec, err := parseURL(name, raw)
	if err != nil {
		return nil, err
	}
	return open(ctx, spec, true)
}

// parseAndOpen parses a command's args into fs and opens the store its
// -store flag names, ready for use.
func (c *cli) parseAndOpen(ctx context.Context, fs *flag.FlagSet, args []string, store *string) (*storeurl.Opened, error) {
	if err := c.parse(fs, args); err != nil {
		return nil, err
	}
	return openFlag(ctx, "-store", *store)
}
