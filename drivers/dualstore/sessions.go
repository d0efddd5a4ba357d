package dualstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
)

func notFound(err error) bool { return errors.Is(err, narvik.ErrSessionNotFound) }

// wrap names the store an error came from, keeping it matchable.
func wrap(which, op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("dualstore: %s: %s store: %w", op, which, err)
}

// SaveSession writes r to the new store.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	return wrap("new", "save session", s.new.SaveSession(ctx, r))
}

// FetchSession returns the session from the new store or, when it is not
// there, from the old store, moving it into the new store first. An error
// of either store is returned as it is, never taken for "not found".
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	mu := s.lock(id)
	mu.RLock()
	r, err := s.new.FetchSession(ctx, id)
	mu.RUnlock()
	if !notFound(err) {
		return r, wrap("new", "fetch session", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return s.move(ctx, id)
}

// move returns session id from the new store, moving it there from the old
// store when it is only there. The caller holds the session's lock.
func (s *Store) move(ctx context.Context, id string) (narvik.Record, error) {
	// Another call may have moved it while this one waited for the lock.
	r, err := s.new.FetchSession(ctx, id)
	if !notFound(err) {
		return r, wrap("new", "fetch session", err)
	}
	r, err = s.old.FetchSession(ctx, id)
	if err != nil {
		return narvik.Record{}, wrap("old", "fetch session", err)
	}
	res, err := narvik.CopySession(ctx, s.old, s.new, r)
	switch {
	case err != nil:
		return narvik.Record{}, fmt.Errorf("dualstore: move session: %w", err)
	case res == narvik.CopyExisting:
		// Another process moved it first: its copy is the session now.
		r, err = s.new.FetchSession(ctx, id)
		return r, wrap("new", "fetch session", err)
	case res != narvik.CopyWritten:
		// Signed out or expired while it was being moved.
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return r, nil
}

// UpdateSessionExpiry sets the expiry of the session in the new store,
// moving it there first when it is still only in the old store. Like every
// store, it never creates a session: one signed out, in either store, stays
// signed out.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	mu := s.lock(id)
	mu.Lock()
	defer mu.Unlock()
	err := s.new.UpdateSessionExpiry(ctx, id, expiresAt)
	if !notFound(err) {
		return wrap("new", "update session expiry", err)
	}
	if _, err := s.move(ctx, id); err != nil {
		return err
	}
	return wrap("new", "update session expiry", s.new.UpdateSessionExpiry(ctx, id, expiresAt))
}

// DeleteSession deletes the session from the old store, then from the new
// one. In that order, a move racing the deletion finds the session gone
// from the old store when it checks, and deletes its copy.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	mu := s.lock(id)
	mu.Lock()
	defer mu.Unlock()
	if err := s.old.DeleteSession(ctx, id); err != nil {
		return wrap("old", "delete session", err)
	}
	return wrap("new", "delete session", s.new.DeleteSession(ctx, id))
}

// FetchSessionsForUser returns the user's sessions in both stores, each
// once: the new store's copy when both hold it.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	fresh, err := s.new.FetchSessionsForUser(ctx, userID)
	if err != nil {
		return nil, wrap("new", "fetch sessions for user", err)
	}
	stale, err := s.old.FetchSessionsForUser(ctx, userID)
	if err != nil {
		return nil, wrap("old", "fetch sessions for user", err)
	}
	seen := make(map[string]struct{}, len(fresh))
	for _, r := range fresh {
		seen[r.ID] = struct{}{}
	}
	for _, r := range stale {
		if _, ok := seen[r.ID]; !ok {
			fresh = append(fresh, r)
		}
	}
	return fresh, nil
}

// DeleteSessionsForUser deletes the user's sessions from the old store,
// then from the new one (the order DeleteSession explains).
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := s.old.DeleteSessionsForUser(ctx, userID); err != nil {
		return wrap("old", "delete sessions for user", err)
	}
	return wrap("new", "delete sessions for user", s.new.DeleteSessionsForUser(ctx, userID))
}

// DeleteAllExpiredSessions deletes the expired sessions of both stores and
// returns how many they removed together.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	n, err := s.new.DeleteAllExpiredSessions(ctx)
	if err != nil {
		return n, wrap("new", "delete expired sessions", err)
	}
	m, err := s.old.DeleteAllExpiredSessions(ctx)
	return n + m, wrap("old", "delete expired sessions", err)
}
