package memstore

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/narvik-go/narvik"
)

// Store is an in-memory narvik.SessionStore, safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	sessions map[string]narvik.Record
	users    map[string]map[string]struct{} // user ID -> set of session IDs
}

var _ narvik.SessionStore = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		sessions: make(map[string]narvik.Record),
		users:    make(map[string]map[string]struct{}),
	}
}

// live reports whether r has not expired at now.
func live(r narvik.Record, now time.Time) bool { return now.Before(r.ExpiresAt) }

// SaveSession stores a copy of r unless its ID exists.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.Data = slices.Clone(r.Data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sessions[r.ID]; ok {
		return narvik.ErrDuplicateSession
	}
	s.sessions[r.ID] = r
	ids := s.users[r.UserID]
	if ids == nil {
		ids = make(map[string]struct{})
		s.users[r.UserID] = ids
	}
	ids[r.ID] = struct{}{}
	return nil
}

// FetchSession returns a copy of the live record with this ID.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return narvik.Record{}, err
	}
	s.mu.RLock()
	r, ok := s.sessions[id]
	s.mu.RUnlock()
	if !ok || !live(r, time.Now()) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	r.Data = slices.Clone(r.Data)
	return r, nil
}

// UpdateSessionExpiry sets the expiry of a live record.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.sessions[id]
	if !ok || !live(r, time.Now()) {
		return narvik.ErrSessionNotFound
	}
	r.ExpiresAt = expiresAt
	s.sessions[id] = r
	return nil
}

// DeleteSession removes the record, if any.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delete(id)
	return nil
}

// delete removes id from both maps; s.mu must be held.
func (s *Store) delete(id string) {
	r, ok := s.sessions[id]
	if !ok {
		return
	}
	delete(s.sessions, id)
	if ids := s.users[r.UserID]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(s.users, r.UserID)
		}
	}
}

// FetchSessionsForUser returns copies of the user's live records.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.users[userID]
	out := make([]narvik.Record, 0, len(ids))
	for id := range ids {
		r := s.sessions[id]
		if live(r, now) {
			r.Data = slices.Clone(r.Data)
			out = append(out, r)
		}
	}
	return out, nil
}

// DeleteSessionsForUser removes every record of the user.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.users[userID] {
		delete(s.sessions, id)
	}
	delete(s.users, userID)
	return nil
}

// DeleteAllExpiredSessions removes expired records, scanning all of them.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.sessions {
		if !live(r, now) {
			s.delete(id)
			n++
		}
	}
	return n, nil
}
