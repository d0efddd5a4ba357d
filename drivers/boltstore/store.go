package boltstore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// Store is a narvik.SessionStore kept in a bbolt database file. It is safe
// for concurrent use: reads run in parallel, writes are serialised by bbolt.
type Store struct {
	db     *bolt.DB
	bucket []byte
	owned  bool // Open opened db, so Close closes it

	// ready is set once EnsureSchema has found or made the buckets; until
	// then every method returns ErrNoSchema.
	ready  atomic.Bool
	closed atomic.Bool
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
)

// Open opens (creating it if needed, with mode 0600) the bbolt database at
// path and returns a store over it, its buckets ensured (see EnsureSchema):
// opening a file is I/O by nature, so Open does all of it. It waits for the
// file lock at most the timeout set with WithTimeout (one second by
// default); a file that another process keeps open gives an error wrapping
// ErrLocked and bbolt's timeout error, naming the path. Close closes the
// database.
//
// For bbolt options beyond the timeout, open the database yourself and use
// New.
func Open(path string, opts ...Option) (*Store, error) {
	c, err := apply(opts)
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: c.timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s (not released within %v: %w)", ErrLocked, path, c.timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{db: db, bucket: []byte(c.bucket), owned: true}
	if err := s.EnsureSchema(context.Background()); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// New returns a store over a database the caller opened. It does no I/O:
// call EnsureSchema once before using the store, which creates the store's
// buckets or checks the ones it finds; until then every method returns
// ErrNoSchema. The caller keeps ownership: Close does not close db.
//
// A nil db gives an error wrapping narvik.ErrNilClient, an unusable option
// one wrapping narvik.ErrInvalidOption.
func New(db *bolt.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, storekit.NilClient("boltstore", "*bbolt.DB")
	}
	c, err := apply(opts)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, bucket: []byte(c.bucket)}, nil
}

// Close releases the store. It closes the database if Open opened it (a
// database given to New stays open), waiting for running transactions to
// finish. Calling Close again does nothing and returns nil; every other
// method returns ErrClosed once Close has been called.
func (s *Store) Close() error {
	if !s.closed.CompareAndSwap(false, true) || !s.owned {
		return nil
	}
	path := s.db.Path()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltstore: close %s: %w", path, err)
	}
	return nil
}

// check returns the error every method gives before touching the database:
// ErrClosed after Close, ErrNoSchema before EnsureSchema. The context is
// not checked: the core never calls with a done one, and bbolt does not
// wait on anything a context could cut short.
func (s *Store) check(op string) error {
	switch {
	case s.closed.Load():
		return fmt.Errorf("%s: %w", op, ErrClosed)
	case !s.ready.Load():
		return fmt.Errorf("%s: %w", op, ErrNoSchema)
	}
	return nil
}

// defaultBucket is the top-level bucket the store uses unless WithBucket
// says otherwise.
const defaultBucket = "narvik"

// defaultTimeout bounds how long Open waits for the file lock. bbolt waits
// forever when its timeout is zero, which turns a second process on the same
// file into a silent hang; a second is long enough for a previous process
// that is shutting down to let go.
const defaultTimeout = time.Second

// Option configures Open and New.
type Option func(*config)

type config struct {
	bucket  string
	timeout time.Duration
}

// WithBucket sets the name of the top-level bucket that holds the store's
// three nested buckets. The default is "narvik". Several stores can share one
// database file under different bucket names; the name must not be empty.
func WithBucket(name string) Option {
	return func(c *config) { c.bucket = name }
}

// WithTimeout sets how long Open waits for the file lock before it fails with
// ErrLocked. The default is one second; it must be positive (bbolt's "wait
// forever" is deliberately not available). New ignores it: the caller opened
// the database.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// apply builds the configuration from opts and checks it. Errors wrap
// narvik.ErrInvalidOption.
func apply(opts []Option) (config, error) {
	c := config{bucket: defaultBucket, timeout: defaultTimeout}
	storekit.Apply(&c, opts)
	if c.bucket == "" {
		return c, storekit.InvalidOption("boltstore", "WithBucket(%q): the bucket name must not be empty", c.bucket)
	}
	if c.timeout <= 0 {
		return c, storekit.InvalidOption("boltstore", "WithTimeout(%v): the timeout must be positive", c.timeout)
	}
	return c, nil
}
