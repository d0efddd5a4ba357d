package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// Session IDs are checked before any query (storekit.ValidSessionID): the
// core only sends 64 lowercase hex characters, and a column that compares
// with PAD SPACE (MySQL's CHAR) or folds case would otherwise let another
// spelling reach a session. User IDs go through the Dialect's check.

// scanned is one row as read, allocated once per read so that Scan's
// destinations cost one allocation rather than one each.
type scanned struct {
	id, userID       string
	expires, created int64
	data             []byte
}

func (r *scanned) record() narvik.Record {
	return narvik.Record{
		ID:        r.id,
		UserID:    r.userID,
		ExpiresAt: time.UnixMilli(r.expires),
		CreatedAt: time.UnixMilli(r.created),
		Data:      r.data,
	}
}

// check returns an error wrapping narvik.ErrBadRecord for a row this
// package could not have written.
func (s *Store) check(r *scanned) error {
	if r.userID == "" {
		return storekit.BadRecord(s.d.Name, r.id, "empty user_id")
	}
	return nil
}

func (s *Store) fail(ctx context.Context, what string, err error) error {
	return storekit.Wrap(ctx, s.d.Name+": "+what, err)
}

// SaveSession inserts r unless its ID exists.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := storekit.CheckSessionID(s.d.Name, r.ID); err != nil {
		return err
	}
	if why := s.d.UserID(r.UserID); why != "" {
		return storekit.InvalidUserID(s.d.Name, r.UserID, why)
	}
	data := r.Data
	if data == nil {
		data = []byte{} // the column is NOT NULL; nil and empty are the same
	}
	n, err := s.exec(ctx, Insert, r.ID, s.userArg(r.UserID), r.ExpiresAt.UnixMilli(), r.CreatedAt.UnixMilli(), data)
	switch {
	case err != nil && s.d.Duplicate != nil && s.d.Duplicate(err):
		return narvik.ErrDuplicateSession
	case err != nil:
		return s.fail(ctx, "save session", err)
	case n == 0:
		return narvik.ErrDuplicateSession
	}
	return nil
}

// FetchSession reads the live row with this ID: one SELECT by primary key,
// with the expiry in its WHERE clause.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if !storekit.ValidSessionID(id) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	r := &scanned{id: id}
	err := s.q.QueryRow(ctx, Fetch, id, s.Now().UnixMilli()).Scan(&r.userID, &r.expires, &r.created, &r.data)
	if errors.Is(err, sql.ErrNoRows) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	if err != nil {
		return narvik.Record{}, s.fail(ctx, "fetch session", err)
	}
	if err := s.check(r); err != nil {
		return narvik.Record{}, err
	}
	return r.record(), nil
}

// UpdateSessionExpiry sets the expiry of a live row: one UPDATE whose
// WHERE clause requires the row to be live, so it never brings back a row
// that expired or was deleted.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if !storekit.ValidSessionID(id) {
		return narvik.ErrSessionNotFound
	}
	now, exp := s.Now(), expiresAt.UnixMilli()
	n, err := s.exec(ctx, Update, exp, id, now.UnixMilli())
	if err != nil {
		return s.fail(ctx, "update session expiry", err)
	}
	if n > 0 {
		return nil
	}
	if s.d.UnchangedIsZero {
		// 0 may mean "found, but it already had this expiry".
		var r scanned
		err := s.q.QueryRow(ctx, Fetch, id, now.UnixMilli()).Scan(&r.userID, &r.expires, &r.created, &r.data)
		switch {
		case err == nil && r.expires == exp:
			return nil
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return s.fail(ctx, "update session expiry", err)
		}
	}
	return narvik.ErrSessionNotFound
}

// DeleteSession deletes the row, if any.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !storekit.ValidSessionID(id) {
		return nil
	}
	if _, err := s.exec(ctx, Delete, id); err != nil {
		return s.fail(ctx, "delete session", err)
	}
	return nil
}

// FetchSessionsForUser reads the user's live rows through the index on
// (user_id, expires_at).
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	out := []narvik.Record{}
	if s.d.UserID(userID) != "" {
		return out, nil
	}
	rows, err := s.q.Query(ctx, FetchUser, s.userArg(userID), s.Now().UnixMilli())
	if err != nil {
		return nil, s.fail(ctx, "fetch sessions for user", err)
	}
	defer rows.Close()
	for rows.Next() {
		r := scanned{userID: userID}
		if err := rows.Scan(&r.id, &r.expires, &r.created, &r.data); err != nil {
			return nil, s.fail(ctx, "fetch sessions for user", err)
		}
		out = append(out, r.record())
	}
	if err := rows.Close(); err != nil {
		return nil, s.fail(ctx, "fetch sessions for user", err)
	}
	return out, nil
}

// DeleteSessionsForUser deletes every row of the user, expired or not,
// through the index on (user_id, expires_at).
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if s.d.UserID(userID) != "" {
		return nil
	}
	if _, err := s.exec(ctx, DeleteUser, s.userArg(userID)); err != nil {
		return s.fail(ctx, "delete sessions for user", err)
	}
	return nil
}
