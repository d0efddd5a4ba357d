package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/examples/webapp/internal/stores"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// storeHelp is the -store flag's usage text: the forms this build opens,
// and the build tags that bring in the others.
func storeHelp() string {
	help := `session store: "bolt" (a bbolt file in the user cache directory) or a store URL: ` + stores.Set().Forms()
	if missing := stores.Missing(); missing != nil {
		help += "; other stores with a build tag, -tags " + strings.Join(missing, ", ") + " or all"
	}
	return help + `; default $NARVIK_STORE, else "bolt"`
}

// openTimeout bounds connecting to the store and ensuring its schema, so
// that an unreachable server stops the start with an error.
const openTimeout = 30 * time.Second

// resolveStore reads the -store value: a store URL (the notation of
// package storeurl, which the narvik CLI shares) or "bolt" for the default
// file. A store whose driver this build lacks is refused first, with the
// build tag that brings it in; then a database file is checked (fileSpec).
// It returns what to open and the database file's path, if any.
func resolveStore(raw string) (spec *urlopen.Spec, path string, err error) {
	if raw != "bolt" { // not a URL: the default file, which every build opens
		if _, err := parseStore(raw); err != nil {
			return nil, "", err
		}
	}
	resolved, path, err := fileSpec(raw)
	if err != nil {
		return nil, "", err
	}
	spec, err = parseStore(resolved)
	return spec, path, err
}

// parseStore parses a store URL with the drivers this build has. For one
// it lacks, it says which build tag brings it in.
func parseStore(spec string) (*urlopen.Spec, error) {
	s, err := stores.Set().Parse(spec)
	if nb := (*urlopen.NotBuiltInError)(nil); errors.As(err, &nb) {
		tag := stores.Tag(nb.Kind)
		return nil, fmt.Errorf("-store: %w\nBuild the demo with that driver: go run -tags %s ./examples/webapp -store URL "+
			"(-tags all brings in every driver; without tags the demo has memory and bolt only, so that its first run compiles fast)", err, tag)
	}
	if err != nil {
		return nil, fmt.Errorf("-store: %w", err)
	}
	return s, nil
}

// openStore opens the session store spec names, ensures its schema, and
// returns it with a description for the start-up banner and the function
// that closes it.
func openStore(ctx context.Context, spec *urlopen.Spec) (store narvik.SessionStore, desc string, closeStore func() error, err error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	o, err := spec.Open(ctx, urlopen.Create())
	if err != nil {
		return nil, "", nil, fmt.Errorf("-store: %w", err)
	}
	// An application ensures its schema at start; it is cheap when in place.
	if _, err := o.EnsureSchema(ctx); err != nil {
		o.Close()
		return nil, "", nil, fmt.Errorf("-store: ensure the schema of %s: %w", o.Description(), err)
	}
	return o.Store, o.Description(), o.Close, nil
}
