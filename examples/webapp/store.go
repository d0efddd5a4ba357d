package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// storeHelp is the -store flag's usage text.
const storeHelp = `session store: "bolt" (a bbolt file in the user cache directory), "bolt:PATH", or "memory"; default $NARVIK_STORE, else "bolt"`

// openStore opens the session store that spec names and returns it with a
// description for the start-up banner and the function that closes it.
// Add a driver here: one case per URL scheme.
func openStore(ctx context.Context, spec string) (store narvik.SessionStore, desc string, closeStore func() error, err error) {
	_ = ctx // for drivers that dial a server
	noop := func() error { return nil }
	switch {
	case spec == "memory":
		return memstore.New(), "in memory (sessions end with the process)", noop, nil
	case spec == "bolt" || strings.HasPrefix(spec, "bolt:"):
		path := strings.TrimPrefix(strings.TrimPrefix(spec, "bolt"), ":")
		if path == "" {
			if path, err = defaultBoltPath(); err != nil {
				return nil, "", nil, err
			}
		}
		s, err := boltstore.Open(path)
		if err != nil {
			return nil, "", nil, err
		}
		return s, "bbolt file " + path, s.Close, nil
	}
	return nil, "", nil, fmt.Errorf("unknown -store %q: use bolt, bolt:PATH or memory", spec)
}

// defaultBoltPath is <user cache dir>/narvik/webapp.db, so a run from a
// clone leaves no file in the work tree.
func defaultBoltPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "narvik")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return filepath.Join(dir, "webapp.db"), nil
}
