package boltstore

import (
	"context"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik/storekit"
)

// EnsureSchema creates the store's buckets (see the package doc) if they do
// not exist and checks the layout version of the ones it finds
// (narvik.SchemaEnsurer). It is idempotent and cheap when everything is in
// place: it then costs one read transaction, and writes (and fsyncs)
// nothing, so it also works on a database opened read-only. A bucket
// written with another layout version is refused rather than misread. Open
// calls it; a store from New needs it once before first use.
func (s *Store) EnsureSchema(ctx context.Context) error {
	const op = "boltstore: ensure schema"
	if s.closed.Load() {
		return fmt.Errorf("%s: %w", op, ErrClosed)
	}
	var complete bool
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		complete, err = s.layout(tx)
		return err
	})
	if err == nil && !complete {
		err = s.db.Update(s.createLayout)
	}
	if err != nil {
		return storekit.Wrap(ctx, fmt.Sprintf("%s: bucket %q in %s", op, s.bucket, s.db.Path()), err)
	}
	s.ready.Store(true)
	return nil
}

// Names of the nested buckets inside the store's top-level bucket, and of the
// key that records the layout version.
var (
	sessionsBucket = []byte("sessions")
	usersBucket    = []byte("users")
	expiryBucket   = []byte("expiry")
	layoutKey      = []byte("layout")
	nestedBuckets  = [][]byte{sessionsBucket, usersBucket, expiryBucket}
)

// layoutVersion is the version of the bucket and key layout described in
// doc.go. EnsureSchema writes it into an empty top-level bucket and refuses
// a bucket written with another version, instead of misreading it.
const layoutVersion = 1

// layout reports whether tx holds the whole layout, and fails on a layout
// of another version.
func (s *Store) layout(tx *bolt.Tx) (complete bool, err error) {
	top := tx.Bucket(s.bucket)
	if top == nil {
		return false, nil
	}
	switch v := top.Get(layoutKey); {
	case v == nil:
		return false, nil
	case string(v) != strconv.Itoa(layoutVersion):
		return false, fmt.Errorf("bucket has layout version %q, this package reads version %d", v, layoutVersion)
	}
	for _, name := range nestedBuckets {
		if top.Bucket(name) == nil {
			return false, nil
		}
	}
	return true, nil
}

// createLayout creates what layout found missing, in one transaction.
func (s *Store) createLayout(tx *bolt.Tx) error {
	if _, err := s.layout(tx); err != nil {
		return err
	}
	top, err := tx.CreateBucketIfNotExists(s.bucket)
	if err != nil {
		return err
	}
	if top.Get(layoutKey) == nil {
		if err := top.Put(layoutKey, []byte(strconv.Itoa(layoutVersion))); err != nil {
			return err
		}
	}
	for _, name := range nestedBuckets {
		if _, err := top.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %q: %w", name, err)
		}
	}
	return nil
}

// buckets are the three nested buckets, as seen by one transaction.
type buckets struct {
	sessions, users, expiry *bolt.Bucket
}

// open returns the store's buckets in tx. A missing bucket means someone
// removed it after EnsureSchema made or found it: that is reported as
// ErrCorrupt rather than silently recreated, which would look like every
// session vanished.
func (s *Store) open(tx *bolt.Tx) (buckets, error) {
	top, err := s.top(tx)
	if err != nil {
		return buckets{}, err
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

// openSessions returns only the sessions bucket, for FetchSession and the
// walk: opening a bucket costs allocations, and they need just this one.
func (s *Store) openSessions(tx *bolt.Tx) (*bolt.Bucket, error) {
	top, err := s.top(tx)
	if err != nil {
		return nil, err
	}
	b := top.Bucket(sessionsBucket)
	if b == nil {
		return nil, fmt.Errorf("%w: bucket %q of %q is missing", ErrCorrupt, sessionsBucket, s.bucket)
	}
	return b, nil
}

func (s *Store) top(tx *bolt.Tx) (*bolt.Bucket, error) {
	top := tx.Bucket(s.bucket)
	if top == nil {
		return nil, fmt.Errorf("%w: bucket %q is missing", ErrCorrupt, s.bucket)
	}
	return top, nil
}
