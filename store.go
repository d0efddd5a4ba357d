package narvik

import (
	"context"
	"errors"
	"time"
)

// SessionStore is the storage driver interface. The core engine (Narvik) is the
// only caller in normal use; drivers live under drivers/ and third-party
// drivers prove themselves with the conformance package.
//
// IDs are the hex SHA-256 of a token, never the token itself. A store judges
// expiry by the real clock (or its server's): a record whose ExpiresAt is at or
// before now must be treated as missing by every read, whether or not it has
// been physically removed yet.
//
// Implementations must be safe for concurrent use and must map their native
// errors for "not there" and "already there" to ErrSessionNotFound and
// ErrDuplicateSession (wrapping is fine: callers use errors.Is). Any other
// error means the store failed, and the core never turns it into a session.
type SessionStore interface {
	// SaveSession stores r if no record with r.ID exists (put-if-absent). An
	// existing ID gives ErrDuplicateSession and changes nothing. A record whose
	// ExpiresAt has already passed is accepted without error; it is simply
	// never visible.
	SaveSession(ctx context.Context, r Record) error

	// FetchSession returns the live record with this ID, or ErrSessionNotFound
	// when it is missing or its ExpiresAt is at or before now.
	FetchSession(ctx context.Context, id string) (Record, error)

	// UpdateSessionExpiry sets the expiry of a live record. It returns
	// ErrSessionNotFound when the record is missing or expired, and never
	// creates a record: an update racing a delete must not bring the session
	// back.
	UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error

	// DeleteSession removes the record. Deleting a missing record is not an
	// error.
	DeleteSession(ctx context.Context, id string) error

	// FetchSessionsForUser returns every live record of the user, whatever
	// their number, and none that is expired or belongs to another user. An
	// unknown user gives an empty slice and no error.
	FetchSessionsForUser(ctx context.Context, userID string) ([]Record, error)

	// DeleteSessionsForUser removes every record of the user.
	DeleteSessionsForUser(ctx context.Context, userID string) error

	// DeleteAllExpiredSessions removes expired records and returns how many
	// this call removed. A store whose server removes expired records by
	// itself may return 0, and then must say so by implementing NativeExpiry.
	DeleteAllExpiredSessions(ctx context.Context) (int, error)
}

// NativeExpiry is implemented by stores whose server deletes expired records
// on its own (Redis key expiry, DynamoDB TTL). When ExpiresNatively reports
// true, DeleteAllExpiredSessions may return fewer than the number of expired
// records, down to 0, because the server has removed or will remove them. A
// store that does not implement NativeExpiry must count exactly.
type NativeExpiry interface {
	ExpiresNatively() bool
}

// Record is one stored session as the store sees it.
type Record struct {
	// ID is the session ID: the lowercase hex SHA-256 of the token.
	ID string
	// UserID is the owner of the session.
	UserID string
	// ExpiresAt is when the session stops being valid. The core gives whole
	// milliseconds; stores keep at least millisecond precision.
	ExpiresAt time.Time
	// CreatedAt is when the session was created, in whole milliseconds.
	CreatedAt time.Time
	// Data is the session data, already encoded by the core. Stores copy it
	// in and out: they never keep or return the caller's slice.
	Data []byte
}

// Errors that stores return and callers match with errors.Is.
var (
	// ErrSessionNotFound means the record is missing or expired.
	ErrSessionNotFound = errors.New("narvik: session not found")
	// ErrDuplicateSession means a record with the same ID already exists.
	ErrDuplicateSession = errors.New("narvik: duplicate session ID")
)
