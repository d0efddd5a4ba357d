package boltstore

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/narvik-go/narvik"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Store is a narvik.SessionStore kept in a bbolt database file. It is safe
// for concurrent use: reads run in parallel, writes are serialised by bbolt.
type Store struct {
	db     *bolt.DB
	bucket []byte
	owned  bool // Open opened db, so Close closes it

	closed atomic.Bool
}

var _ narvik.SessionStore = (*Store)(nil)

// Open opens (creating it if needed, with mode 0600) the bbolt database at
// path and returns a store over it. It waits for the file lock at most the
// timeout set with WithTimeout (one second by default); a file that another
// process keeps open gives an error wrapping ErrLocked and bbolt's timeout
// error, naming the path. Close closes the database.
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
		return nil, fmt.Errorf("%w: %s (gave up after %v: %w)", ErrLocked, path, c.timeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s, err := newStore(db, c)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a store over a database the caller opened, creating the
// store's buckets if they do not exist. The caller keeps ownership: Close
// does not close db. The database must be writable.
func New(db *bolt.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("boltstore: New: nil *bbolt.DB")
	}
	c, err := apply(opts)
	if err != nil {
		return nil, err
	}
	return newStore(db, c)
}

// newStore creates (or checks) the bucket layout in one transaction.
func newStore(db *bolt.DB, c config) (*Store, error) {
	s := &Store{db: db, bucket: []byte(c.bucket)}
	err := db.Update(func(tx *bolt.Tx) error {
		top, err := tx.CreateBucketIfNotExists(s.bucket)
		if err != nil {
			return err
		}
		switch v := top.Get(layoutKey); {
		case v == nil:
			if err := top.Put(layoutKey, []byte(strconv.Itoa(layoutVersion))); err != nil {
				return err
			}
		case string(v) != strconv.Itoa(layoutVersion):
			return fmt.Errorf("bucket has layout version %q, this package reads version %d", v, layoutVersion)
		}
		for _, name := range [][]byte{sessionsBucket, usersBucket, expiryBucket} {
			if _, err := top.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %q: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: prepare bucket %q in %s: %w", s.bucket, db.Path(), err)
	}
	return s, nil
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

// buckets are the three nested buckets, as seen by one transaction.
type buckets struct {
	sessions, users, expiry *bolt.Bucket
}

// open returns the store's buckets in tx. A missing bucket means someone
// removed it after New created it: that is reported as ErrCorrupt rather
// than silently recreated, which would look like every session vanished.
func (s *Store) open(tx *bolt.Tx) (buckets, error) {
	top := tx.Bucket(s.bucket)
	if top == nil {
		return buckets{}, fmt.Errorf("%w: bucket %q is missing", ErrCorrupt, s.bucket)
	}
	b := buckets{
		sessions: top.Bucket(sessionsBucket),
		users:    top.Bucket(usersBucket),
		expiry:   top.Bucket(expiryBucket),
	}
	if b.sessions == nil || b.users == nil || b.expiry == nil {
		return buckets{}, fmt.Errorf("%w: a nested bucket of %q is missing", ErrCorrupt, s.bucket)
	}
	return b, nil
}
