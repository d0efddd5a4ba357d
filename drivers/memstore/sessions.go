package memstore

import (
	"context"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// The store keeps the Record it is given, Data included, and returns it as
// it is: nobody modifies Data once it is handed over (narvik.SessionStore),
// so no copy is needed. The context is not consulted: every call finishes
// at once and waits on nothing.

// SaveSession stores r unless its ID exists.
func (s *Store) SaveSession(_ context.Context, r narvik.Record) error {
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

// FetchSession returns the live record with this ID.
func (s *Store) FetchSession(_ context.Context, id string) (narvik.Record, error) {
	s.mu.RLock()
	r, ok := s.sessions[id]
	s.mu.RUnlock()
	if !ok || !storekit.Live(r.ExpiresAt, time.Now()) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return r, nil
}

// UpdateSessionExpiry sets the expiry of a live record.
func (s *Store) UpdateSessionExpiry(_ context.Context, id string, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.sessions[id]
	if !ok || !storekit.Live(r.ExpiresAt, time.Now()) {
		return narvik.ErrSessionNotFound
	}
	r.ExpiresAt = expiresAt
	s.sessions[id] = r
	return nil
}

// DeleteSession removes the record, if any.
func (s *Store) DeleteSession(_ context.Context, id string) error {
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

// FetchSessionsForUser returns the user's live records.
func (s *Store) FetchSessionsForUser(_ context.Context, userID string) ([]narvik.Record, error) {
	now := time.Now()
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.users[userID]
	out := make([]narvik.Record, 0, len(ids))
	for id := range ids {
		if r := s.sessions[id]; storekit.Live(r.ExpiresAt, now) {
			out = append(out, r)
		}
	}
	return out, nil
}

// DeleteSessionsForUser removes every record of the user.
func (s *Store) DeleteSessionsForUser(_ context.Context, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.users[userID] {
		delete(s.sessions, id)
	}
	delete(s.users, userID)
	return nil
}

// DeleteAllExpiredSessions removes expired records, scanning all of them,
// and returns how many it removed. Concurrent calls serialise on the lock,
// so each expired record is counted by exactly one of them.
func (s *Store) DeleteAllExpiredSessions(_ context.Context) (int, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.sessions {
		if !storekit.Live(r.ExpiresAt, now) {
			s.delete(id)
			n++
		}
	}
	return n, nil
}
