package main

import (
	"context"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
)

// storeHelp is the -store flag's usage text.
const storeHelp = `session store: "bolt" (a bbolt file in the user cache directory) or a store URL: ` + storeurl.Forms + `; default $NARVIK_STORE, else "bolt"`

// openTimeout bounds connecting to the store and ensuring its schema, so
// that an unreachable server stops the start with an error.
const openTimeout = 30 * time.Second

// openStore opens the session store that spec names (a store URL, parsed by
// the storeurl package the narvik CLI shares, or "bolt" for the default
// file), ensures its schema, and returns it with a description for the
// start-up banner and the function that closes it.
func openStore(ctx context.Context, spec string) (store narvik.SessionStore, desc string, closeStore func() error, err error) {
	if spec == "bolt" {
		path, err := defaultBoltPath()
		if err != nil {
			return nil, "", nil, err
		}
		spec = "bolt:" + path
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	o, err := storeurl.Open(ctx, spec, storeurl.Create())
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
