package testkit

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/narvik-go/narvik"
)

// ErrDown is what a Store returns while it is failing.
var ErrDown = errors.New("testkit: store is down")

// Method names a SessionStore method, for Store.Calls.
type Method int

// The seven methods of narvik.SessionStore.
const (
	Save Method = iota
	Fetch
	Update
	Delete
	FetchForUser
	DeleteForUser
	DeleteExpired
	methods
)

// Store wraps a narvik.SessionStore for tests: it counts the calls of each
// method and, while failing (Fail(true)), fails every call with ErrDown
// without reaching the wrapped store. It is safe for concurrent use.
type Store struct {
	narvik.SessionStore
	fail  atomic.Bool
	calls [methods]atomic.Int64
}

// Wrap returns a Store over s, counting from zero and not failing.
func Wrap(s narvik.SessionStore) *Store { return &Store{SessionStore: s} }

// Fail makes every later call fail with ErrDown (on) or reach the wrapped
// store again (off).
func (s *Store) Fail(on bool) { s.fail.Store(on) }

// Calls returns how many times m was called, failed calls included.
func (s *Store) Calls(m Method) int64 { return s.calls[m].Load() }

// Total returns how many store calls were made in all.
func (s *Store) Total() int64 {
	var n int64
	for i := range s.calls {
		n += s.calls[i].Load()
	}
	return n
}

func (s *Store) enter(m Method) error {
	s.calls[m].Add(1)
	if s.fail.Load() {
		return ErrDown
	}
	return nil
}

// SaveSession counts and passes the call on, unless failing.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := s.enter(Save); err != nil {
		return err
	}
	return s.SessionStore.SaveSession(ctx, r)
}

// FetchSession counts and passes the call on, unless failing.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := s.enter(Fetch); err != nil {
		return narvik.Record{}, err
	}
	return s.SessionStore.FetchSession(ctx, id)
}

// UpdateSessionExpiry counts and passes the call on, unless failing.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := s.enter(Update); err != nil {
		return err
	}
	return s.SessionStore.UpdateSessionExpiry(ctx, id, expiresAt)
}

// DeleteSession counts and passes the call on, unless failing.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.enter(Delete); err != nil {
		return err
	}
	return s.SessionStore.DeleteSession(ctx, id)
}

// FetchSessionsForUser counts and passes the call on, unless failing.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if err := s.enter(FetchForUser); err != nil {
		return nil, err
	}
	return s.SessionStore.FetchSessionsForUser(ctx, userID)
}

// DeleteSessionsForUser counts and passes the call on, unless failing.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := s.enter(DeleteForUser); err != nil {
		return err
	}
	return s.SessionStore.DeleteSessionsForUser(ctx, userID)
}

// DeleteAllExpiredSessions counts and passes the call on, unless failing.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if err := s.enter(DeleteExpired); err != nil {
		return 0, err
	}
	return s.SessionStore.DeleteAllExpiredSessions(ctx)
}

// ExpiresNatively passes the wrapped store's narvik.NativeExpiry answer on.
func (s *Store) ExpiresNatively() bool {
	ne, ok := s.SessionStore.(narvik.NativeExpiry)
	return ok && ne.ExpiresNatively()
}
