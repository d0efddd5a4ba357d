package narvik

import (
	"context"
	"errors"
	"iter"
	"time"
)

// SessionStore is the storage driver interface. The core engine (Narvik) is the
// only caller in normal use; drivers live under drivers/ and third-party
// drivers prove themselves with the conformance package, which checks every
// rule written here.
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
//
// What the core guarantees to a store, so that no driver has to:
//
//   - Contexts: the core checks ctx before every store call and never calls
//     with a context that is already done, so a store need not check ctx
//     itself before starting. A store passes ctx to its client; when a call
//     fails because ctx ended, the error must match ctx.Err() with errors.Is
//     (storekit.Wrap makes sure of it even when a client reports the
//     cancellation as a network error). What the conformance suite checks
//     (Context/Cancelled): each of the seven methods, called with a context
//     cancelled before the call, returns nil (the store did its work
//     without waiting on anything) or an error for which
//     errors.Is(err, context.Canceled) holds, nothing else; and
//     Enumerator.AllSessions with such a context yields exactly one
//     element, an error matching context.Canceled, and no record
//     (Walk/Cancelled). It does not check deadlines or a context cancelled
//     during a call; those reach the store's client, which must report them
//     the same way.
//   - Data: Record.Data is never modified by anyone once it is handed over.
//     The core never changes a slice after passing it to SaveSession, nor a
//     slice a store returned; a store never changes a slice it was given or
//     returned. A store may therefore keep the slice SaveSession received and
//     return the same slice to several callers; a store whose client reuses
//     its buffers (bbolt's memory-mapped pages) copies.
//   - IDs: the core sends only session IDs of 64 lowercase hex characters
//     and non-empty user IDs. A store may refuse any other session ID with
//     an error wrapping ErrInvalidSessionID. A user ID the store cannot hold
//     exactly, byte for byte (invalid UTF-8 in a text column, a key longer
//     than the server allows), is refused by SaveSession with an error
//     wrapping ErrInvalidUserID, never stored altered: two user IDs that
//     differ in any byte (case, accents, Unicode normalisation, spaces, a
//     trailing NUL) are different users. Reads and deletes of an ID that
//     could not have been saved find nothing and are not errors.
//   - Values a store reads back that it did not write (corrupt or foreign
//     data) give an error wrapping ErrBadRecord, never a record.
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
	// Data is the session data, already encoded by the core; nil and empty
	// are the same. Nobody modifies it once it is handed over (see
	// SessionStore), so stores may keep and share it without copying.
	Data []byte
}

// Errors that stores return and callers match with errors.Is. Drivers wrap
// them with their own detail; ErrBadRecord (errors.go) is the fourth.
var (
	// ErrSessionNotFound means the record is missing or expired.
	ErrSessionNotFound = errors.New("narvik: session not found")
	// ErrDuplicateSession means a record with the same ID already exists.
	ErrDuplicateSession = errors.New("narvik: duplicate session ID")
	// ErrInvalidUserID means the store cannot hold this user ID exactly
	// (for example invalid UTF-8 where the store keeps text). Nothing was
	// stored.
	ErrInvalidUserID = errors.New("narvik: user ID the store cannot hold exactly")
	// ErrInvalidSessionID means the store refuses a session ID that is not
	// 64 lowercase hex characters, the only kind the core sends. Nothing was
	// stored.
	ErrInvalidSessionID = errors.New("narvik: session ID is not 64 lowercase hex characters")
	// ErrNilClient is returned by a driver's constructor when the client,
	// connection pool or database handle it was given is nil.
	ErrNilClient = errors.New("narvik: nil client")
)

// SchemaEnsurer is implemented by stores that need a schema on their server
// before first use: indexes, a table, a TTL setting. EnsureSchema creates
// what is missing and checks what exists; it is idempotent and cheap when
// everything is in place, so an application may call it at every start.
// Constructors (New) never do this I/O themselves: call EnsureSchema once at
// start-up, or create the schema with your migration tool from the DDL each
// driver documents.
type SchemaEnsurer interface {
	EnsureSchema(ctx context.Context) error
}

// Enumerator is implemented by stores that can walk every live record, for
// migrations between stores (Migrate) and operator tools. Each driver uses
// its natural tool: a bbolt cursor, Redis SCAN, a MongoDB cursor, a DynamoDB
// Scan, keyset pagination in SQL.
//
// AllSessions yields every record that was live when the walk began and is
// still stored when the walk reaches it, exactly once, and never an expired
// one. Records saved or deleted during the walk may or may not be yielded,
// but none is yielded twice. The walk streams, a page at a time: it never
// holds the store's records in memory. Where the server's own walk may
// repeat a key (Redis SCAN), the driver remembers the IDs it yielded to keep
// "exactly once", and its doc says what that costs per session. It stops
// when the loop breaks, and yields a non-nil
// error (with a zero Record) at most once, as its last element, when the
// store fails.
type Enumerator interface {
	AllSessions(ctx context.Context) iter.Seq2[Record, error]
}
