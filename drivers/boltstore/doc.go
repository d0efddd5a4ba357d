// Package boltstore is the embedded narvik.SessionStore: sessions in a
// bbolt (go.etcd.io/bbolt) database file, with no server to run.
//
//	store, err := boltstore.Open("/var/lib/myapp/sessions.db")
//	if err != nil { ... }          // errors.Is(err, boltstore.ErrLocked): another process has the file
//	defer store.Close()
//	sessions, err := narvik.New[MyData](store)
//
// # What is stored
//
// Only what narvik.Record holds: the session ID (the SHA-256 of the token,
// never the token), the user ID, the expiry and creation times and the
// encoded session data. A copy of the file cannot be turned back into
// cookies. Open creates the file with mode 0600.
//
// # Layout (the schema)
//
// Everything lives under one top-level bucket, "narvik" by default
// (WithBucket), so several stores, or a store and the application's own
// data, can share a file. It holds a "layout" key (the layout version, "1";
// EnsureSchema refuses any other) and three nested buckets:
//
//	sessions  session ID -> record
//	users     uvarint(len(userID)) || userID || session ID -> (empty)
//	expiry    be64(uint64(expiresAtMs) ^ 1<<63) || session ID -> (empty)
//
// Open creates them (or checks them) before it returns. New, over a
// *bbolt.DB the caller opened, does no I/O; EnsureSchema then creates or
// checks them, in one read transaction when they are in place (so it also
// works on a database opened read-only). Until it has succeeded, every
// method of a store from New returns ErrNoSchema.
//
// A record is a version byte (1), uvarint(len(userID)), the user ID,
// ExpiresAt and CreatedAt as big-endian int64 Unix milliseconds, and the
// data as the rest of the value. Times keep millisecond precision (what
// the core produces); finer precision is truncated, so a record never lives
// longer than asked.
//
// The length prefix in the users index makes a user's keys a contiguous
// range that no other user's keys can enter: a uvarint is self-delimiting,
// so user IDs that are prefixes of each other or contain NUL bytes never
// mix. In the expiry index, flipping the sign bit makes byte order equal
// time order, times before 1970 included, so the expired records are
// exactly a prefix of the bucket.
//
// # Cost of each operation
//
// Every method is one bbolt transaction (DeleteAllExpiredSessions: one per
// batch; AllSessions: one per page). n is the number of records, k the
// user's sessions, e the expired records; each B+tree lookup costs
// O(log n).
//
//	SaveSession               1 lookup, 3 puts                     O(log n)
//	FetchSession              1 lookup                              O(log n)
//	UpdateSessionExpiry       1 lookup, 1 put, index entry moved    O(log n)
//	DeleteSession             1 lookup, 3 deletes                   O(log n)
//	FetchSessionsForUser      seek + k index entries + k lookups    O(k log n)
//	DeleteSessionsForUser     the same, deleting, in one transaction O(k log n)
//	DeleteAllExpiredSessions  walk the expiry index while due       O(e log n)
//	AllSessions               a cursor over sessions, 1,000 a page  O(n), O(log n) per page to resume
//	EnsureSchema              one read transaction when in place    O(1)
//
// DeleteAllExpiredSessions never reads a live record: it starts a read
// transaction that looks at the first expiry entry (a few microseconds when
// nothing is due), then removes up to 1,000 records per write transaction
// and stops at the first entry that is not due, returning the exact count.
// Call it periodically from your own ticker: this package starts no
// goroutine. Deleting records whose IDs are random touches random pages of the
// sessions and users buckets, so a large cleanup is bound by the pages it
// rewrites (about two per record), not by finding them.
//
// # Consistency
//
// A record and its two index entries are always written and removed in the
// same transaction, so they agree. Reads see a consistent snapshot;
// writes are serialised by bbolt. SaveSession is put-if-absent (an existing
// ID, expired or not, gives narvik.ErrDuplicateSession). A record whose
// ExpiresAt is at or before now, by this machine's clock, is invisible to
// every read and to UpdateSessionExpiry, which therefore never brings a
// deleted or expired session back. Values are copied out of the
// transaction: bbolt's memory is only valid inside it.
//
// A stored value that does not decode gives an error wrapping ErrCorrupt
// (which wraps narvik.ErrBadRecord) and no record, so a damaged record never
// validates. Deleting such a record works; its index entries cannot be
// found without its value and stay behind. An index entry is only trusted
// when the record it names agrees with it (same user, same expiry): readers
// skip entries that do not, and DeleteSessionsForUser and
// DeleteAllExpiredSessions remove them, so a later session reusing the ID
// is never listed under, or deleted with, the old user. A bucket removed
// after EnsureSchema also gives ErrCorrupt rather than "not found".
//
// # Walking every session
//
// AllSessions (narvik.Enumerator, for migrations and operator tools) walks
// the sessions bucket with a cursor, 1,000 records per read transaction,
// and holds no transaction while the caller's loop runs: an open read
// transaction keeps bbolt from growing the file, so writers beside the walk
// (or inside its loop) would wait for it. Each page resumes after the last
// key of the previous one; every record stored throughout the walk is
// yielded exactly once, in session ID order. A record that does not decode
// ends the walk with ErrCorrupt.
//
// # Durability
//
// bbolt fsyncs every committed write transaction, and this package offers
// no way to turn that off: when SaveSession, UpdateSessionExpiry or a delete
// returns, the change is on disk. (To trade that away, open the database
// yourself with bbolt.Options.NoSync and use New.) A process killed in the
// middle of a write loses at most that uncommitted write and leaves a
// consistent file.
//
// # Locking
//
// bbolt takes an exclusive lock (flock) on the file: one process at a time.
// Open waits for it at most the WithTimeout duration (one second by
// default; bbolt's own default would wait forever) and then fails with an
// error wrapping ErrLocked and bbolt's errors.ErrTimeout that names the
// file. Use one Store per process and share it between goroutines; a
// second Open of the same file in the same process is refused the same way.
//
// New wraps a *bbolt.DB the caller opened (with any options) and leaves it
// open on Close. Close of a store from Open closes the file. After Close,
// every method returns ErrClosed.
//
// # Keys, IDs and contexts
//
// User IDs and session IDs are stored byte for byte (any bytes: NUL,
// invalid UTF-8, prefixes of each other). bbolt keys are at most 32 KiB:
// a user ID too long for the users index is refused with an error wrapping
// narvik.ErrInvalidUserID, an empty or too long session ID with
// narvik.ErrInvalidSessionID. bbolt does not observe contexts and a
// transaction is short, so methods do not check theirs (the core never calls
// with a done one); DeleteAllExpiredSessions checks it between two batches,
// so a cleanup an operator cancels stops at the next commit with the count
// removed so far.
//
// # Configuration
//
// WithTimeout (Open's wait for the file lock) and WithBucket (the
// top-level bucket); New ignores the timeout. Anything else bbolt offers
// (NoSync, the initial mmap size, a read-only file): open the database
// yourself and use New. The store starts no goroutines.
package boltstore
