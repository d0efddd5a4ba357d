package sqlitestore

import (
	"context"
	"time"

	"github.com/narvik-go/narvik"
)

// The methods of narvik.SessionStore. The SQL is shared with the other SQL
// drivers (package doc: "Statements").

// SaveSession inserts r unless its ID exists (narvik.ErrDuplicateSession).
// User IDs of any bytes are kept exactly (SQLite stores text as given).
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	return s.core.SaveSession(ctx, r)
}

// FetchSession returns the live session with this ID: one SELECT by
// primary key.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	return s.core.FetchSession(ctx, id)
}

// UpdateSessionExpiry sets the expiry of a live session: one UPDATE that
// matches only a live row, so it never brings a session back.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	return s.core.UpdateSessionExpiry(ctx, id, expiresAt)
}

// DeleteSession deletes the session, if any.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.core.DeleteSession(ctx, id)
}

// FetchSessionsForUser returns the user's live sessions, read through the
// index on (user_id, expires_at).
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	return s.core.FetchSessionsForUser(ctx, userID)
}

// DeleteSessionsForUser deletes every session of the user through the
// same index.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	return s.core.DeleteSessionsForUser(ctx, userID)
}

// DeleteAllExpiredSessions deletes expired sessions in batches of 5,000
// found through the index on expires_at, and returns exactly how many it
// deleted. SQLite runs one writer at a time, so concurrent sweeps take
// turns and never count a row twice.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	return s.core.DeleteAllExpiredSessions(ctx)
}
