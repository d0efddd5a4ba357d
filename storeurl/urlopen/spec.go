package urlopen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/narvik-go/narvik"
)

// Spec is a parsed store URL: what Open would open, checked without any
// I/O.
type Spec struct {
	// Kind is the form of the URL.
	Kind Kind

	desc string
	file string // a file the store lives in; "" for a server
	open func(context.Context) (narvik.SessionStore, func() error, error)
}

// Description says which store the URL names, for banners and logs,
// without any password it holds.
func (s *Spec) Description() string { return s.desc }

// String is Description.
func (s *Spec) String() string { return s.desc }

// Option configures Open.
type Option func(*openConfig)

type openConfig struct {
	create bool
}

// Create lets Open create a store that opening can create: a bbolt or
// SQLite file that does not exist yet. Without it, a missing file is an
// error, so that a typo in a path does not quietly give an empty store.
// Stores on a server are never created by Open; see Opened.EnsureSchema.
func Create() Option { return func(c *openConfig) { c.create = true } }

// Open opens the store and makes sure it answers: a ping or a read for a
// server, the file lock for a bbolt file. It writes nothing on a server.
// Errors wrap ErrUnreachable (the store cannot be reached or opened) or
// ErrBadURL (a value the driver refuses), and the cause. ctx bounds the
// whole opening; give it a deadline, as an unreachable server may
// otherwise be retried for long.
func (s *Spec) Open(ctx context.Context, opts ...Option) (*Opened, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if s.open == nil { // a Spec that Parse did not make
		return nil, fmt.Errorf("%w: kind %q", ErrBadURL, s.Kind)
	}
	if s.file != "" && !cfg.create {
		if _, err := os.Stat(s.file); errors.Is(err, fs.ErrNotExist) {
			return nil, s.unreachable(errors.New("no such file (narvik ensure-schema or migrate -to creates one)"))
		}
	}
	store, closeStore, err := s.open(ctx)
	if r := (refusedError{}); errors.As(err, &r) {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadURL, s.desc, r.err)
	}
	if err != nil {
		return nil, s.unreachable(err)
	}
	return &Opened{Store: store, Spec: s, close: closeStore}, nil
}

func (s *Spec) unreachable(err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnreachable, s.desc, err)
}

// Opened is an open store.
type Opened struct {
	// Store is the driver's store, with the optional interfaces it
	// implements (narvik.Enumerator, narvik.SchemaEnsurer, ...).
	Store narvik.SessionStore
	// Spec is what the URL named.
	Spec *Spec

	close func() error
}

// Description says which store this is, for banners and logs.
func (o *Opened) Description() string { return o.Spec.Description() }

// Close releases the clients and files Open opened. The Store must not be
// used afterwards.
func (o *Opened) Close() error {
	if o.close == nil {
		return nil
	}
	return o.close()
}

// EnsureSchema creates what the store needs on its server (a table,
// indexes, a TTL setting) when it is missing, and checks what exists; it is
// idempotent. It reports false, and does nothing, for a store that needs no
// schema.
func (o *Opened) EnsureSchema(ctx context.Context) (bool, error) {
	if se, ok := o.Store.(narvik.SchemaEnsurer); ok {
		return true, se.EnsureSchema(ctx)
	}
	return false, nil
}
