package dualstore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"reflect"
	"sync"

	"github.com/narvik-go/narvik"
)

// stripes is how many locks the per-session locking is spread over: enough
// that unrelated sessions rarely wait on each other.
const stripes = 256

// Store is a narvik.SessionStore over an old and a new store (see the
// package documentation). It is safe for concurrent use.
type Store struct {
	old, new narvik.SessionStore
	seed     maphash.Seed
	locks    [stripes]sync.RWMutex
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.NativeExpiry  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
)

// New returns a Store that moves sessions from oldStore to newStore. It
// fails with an error wrapping narvik.ErrNilStore when either is nil, and
// with one wrapping narvik.ErrInvalidOption when both are the same store.
// New does no I/O.
func New(oldStore, newStore narvik.SessionStore) (*Store, error) {
	if oldStore == nil || newStore == nil {
		return nil, fmt.Errorf("dualstore: New: %w", narvik.ErrNilStore)
	}
	if same(oldStore, newStore) {
		return nil, fmt.Errorf("%w: dualstore: the old and the new store are the same store", narvik.ErrInvalidOption)
	}
	return &Store{old: oldStore, new: newStore, seed: maphash.MakeSeed()}, nil
}

// same reports whether a and b are the same store. Values of a type that
// cannot be compared (== would panic) count as different.
func same(a, b narvik.SessionStore) bool {
	t := reflect.TypeOf(a)
	return t == reflect.TypeOf(b) && t.Comparable() && a == b
}

// lock returns the lock of session id's stripe.
func (s *Store) lock(id string) *sync.RWMutex {
	return &s.locks[maphash.String(s.seed, id)%stripes]
}

// ExpiresNatively reports whether either store deletes expired sessions on
// its own, so that DeleteAllExpiredSessions may count fewer than expired.
func (s *Store) ExpiresNatively() bool { return native(s.old) || native(s.new) }

func native(st narvik.SessionStore) bool {
	ne, ok := st.(narvik.NativeExpiry)
	return ok && ne.ExpiresNatively()
}

// EnsureSchema ensures the schema of each store that needs one
// (narvik.SchemaEnsurer), the new store first.
func (s *Store) EnsureSchema(ctx context.Context) error {
	var errs []error
	for _, st := range []struct {
		name  string
		store narvik.SessionStore
	}{{"new", s.new}, {"old", s.old}} {
		if se, ok := st.store.(narvik.SchemaEnsurer); ok {
			if err := se.EnsureSchema(ctx); err != nil {
				errs = append(errs, fmt.Errorf("dualstore: ensure the schema of the %s store: %w", st.name, err))
			}
		}
	}
	return errors.Join(errs...)
}
