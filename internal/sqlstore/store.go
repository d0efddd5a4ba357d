package sqlstore

import (
	"context"
	"time"
)

// Dialect is what one database does differently, given by its driver.
type Dialect struct {
	// Name is the driver's package name, the prefix of its errors.
	Name string
	// UserID reports why the user_id column cannot hold id exactly, or ""
	// when it can. Such IDs are refused by SaveSession and found nowhere.
	UserID func(id string) string
	// BinaryUserID sends user IDs as bytes rather than text, for a binary
	// column that a text parameter would go through a character set
	// conversion to reach (MySQL's VARBINARY).
	BinaryUserID bool
	// Duplicate reports whether an Insert error is the primary key's
	// duplicate-key error. Nil when the Insert skips an existing ID itself
	// (ON CONFLICT (id) DO NOTHING) and reports it as 0 rows affected.
	Duplicate func(error) bool
	// UnchangedIsZero is set when an UPDATE that writes the value a row
	// already has reports 0 rows affected (MySQL without the
	// clientFoundRows option): Update then confirms a 0 before calling the
	// session missing.
	UnchangedIsZero bool
	// Retry reports whether a write failed only because the database chose
	// it as the victim of a deadlock (MySQL's InnoDB does so when many
	// updates and a delete of one row race); the statement, rolled back
	// whole, is then run again, up to MaxAttempts times in all. Nil means
	// never.
	Retry func(error) bool
}

// MaxAttempts bounds how often a write is tried when Dialect.Retry says so.
const MaxAttempts = 4

// Default sizes of the batched statements.
const (
	// DefaultSweepBatch is how many expired rows one statement of
	// DeleteAllExpiredSessions removes: small enough that no statement
	// holds its locks for more than milliseconds, large enough that a
	// periodic sweep usually takes one statement and a backlog of a million
	// rows two hundred.
	DefaultSweepBatch = 5000
	// DefaultWalkPage is how many rows one read of AllSessions returns.
	DefaultWalkPage = 500
)

// Store implements the narvik.SessionStore contract over a Querier; each
// SQL driver's Store delegates to one.
type Store struct {
	q Querier
	d Dialect
	// Now is the clock that judges expiry: the application's, as in every
	// driver of narvik, sent to the database as a parameter.
	Now func() time.Time
	// SweepBatch and WalkPage are the batch sizes (tests make them small).
	SweepBatch, WalkPage int
}

// New returns a Store running its statements through q.
func New(q Querier, d Dialect) *Store {
	return &Store{q: q, d: d, Now: time.Now, SweepBatch: DefaultSweepBatch, WalkPage: DefaultWalkPage}
}

// exec runs a write, again when the Dialect says the database rolled it
// back as a deadlock victim. Every write here may run twice: each is one
// statement, rolled back whole when it fails.
func (s *Store) exec(ctx context.Context, st Stmt, args ...any) (int64, error) {
	for attempt := 1; ; attempt++ {
		n, err := s.q.Exec(ctx, st, args...)
		if err == nil || s.d.Retry == nil || attempt == MaxAttempts || !s.d.Retry(err) || ctx.Err() != nil {
			return n, err
		}
	}
}

// userArg is the user ID as the database receives it.
func (s *Store) userArg(userID string) any {
	if s.d.BinaryUserID {
		return []byte(userID)
	}
	return userID
}
