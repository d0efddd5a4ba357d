// Package postgresstore is a narvik.SessionStore on PostgreSQL (12 or
// later; tested on 15) through github.com/jackc/pgx/v5:
//
//	pool, err := pgxpool.New(ctx, "postgres://app@db/app")
//	store, err := postgresstore.New(pool)   // no I/O
//	err = store.EnsureSchema(ctx)           // or your migration tool
//	auth, err := narvik.New[MyData](store)
//
// New takes a DB: a *pgxpool.Pool, a *pgx.Conn, a pgx.Tx or a wrapper of
// them. The caller owns it and closes it; the store starts no goroutines
// and needs no Close.
//
// # Schema
//
// One table (WithTable, default narvik_sessions) and two indexes. Create
// them with EnsureSchema (idempotent: CREATE ... IF NOT EXISTS) or with
// goose, golang-migrate or Atlas from this DDL:
//
//	CREATE TABLE narvik_sessions (
//		id         text COLLATE "C" PRIMARY KEY, -- SHA-256 of the token, 64 hex
//		user_id    text COLLATE "C" NOT NULL,
//		expires_at bigint NOT NULL,               -- Unix milliseconds
//		created_at bigint NOT NULL,               -- Unix milliseconds
//		data       bytea NOT NULL                 -- narvik's encoded session data
//	);
//	CREATE INDEX narvik_sessions_user_idx ON narvik_sessions (user_id, expires_at);
//	CREATE INDEX narvik_sessions_expires_idx ON narvik_sessions (expires_at);
//
// Why these types:
//
//   - Times are integer milliseconds, not timestamptz: the three SQL
//     drivers share one schema shape and one code path, a millisecond
//     survives the round trip exactly (narvik works in milliseconds), and
//     no session time zone or driver setting can shift a value. Read them
//     with to_timestamp(expires_at / 1000.0).
//   - text COLLATE "C" compares bytes, so "alice", "Alice" and "alice " are
//     three users and the indexes need no locale. user_id is text rather
//     than bytea so that it joins your users table
//     (users.id::text = narvik_sessions.user_id). A text column of a UTF-8
//     database cannot hold invalid UTF-8 or a NUL byte, and the index
//     cannot hold an entry much over 2 KB: SaveSession refuses such user
//     IDs (and any over MaxUserIDLen bytes) with an error wrapping
//     narvik.ErrInvalidUserID before it sends anything, and never stores an
//     altered ID.
//   - id is text, never char(64): char pads and ignores trailing spaces.
//     Session IDs that are not 64 lowercase hex are refused before any
//     query (narvik.ErrInvalidSessionID on save; not found on read).
//
// Only the SHA-256 of a token is stored, never the token (a test reads the
// table back to check).
//
// # Cost of each call
//
// Every call is one statement and one round trip. pgx prepares each
// statement once per connection and then sends only its name and
// arguments.
//
//	SaveSession               INSERT ... ON CONFLICT (id) DO NOTHING; 0 rows = duplicate
//	FetchSession              SELECT by primary key, WHERE expires_at > now
//	UpdateSessionExpiry       UPDATE by primary key, WHERE expires_at > now; 0 rows = not found
//	DeleteSession             DELETE by primary key
//	FetchSessionsForUser      SELECT through (user_id, expires_at)
//	DeleteSessionsForUser     DELETE through (user_id, expires_at)
//	DeleteAllExpiredSessions  DELETE of up to 5,000 rows found through (expires_at), repeated until fewer
//	AllSessions               SELECT of 500 rows by primary key after the last one read (keyset pagination)
//
// The put-if-absent skips only a duplicate ID: any other failure is an
// error, and a pgx.Tx is not aborted by a lost race. The expired sweep
// deletes in batches, each its own statement, so a backlog of a million
// rows never holds one long lock; concurrent sweeps (several servers
// running the same job) take disjoint batches (FOR UPDATE SKIP LOCKED),
// and the count is exact.
//
// # Whose clock
//
// The application's. "now" is sent as a parameter, as every narvik driver
// judges expiry by the same clock that the core uses to extend sessions,
// so a session is never live for the store and expired for the core (or
// the other way round) when the database server's clock differs. A row
// whose expires_at equals now is expired.
//
// # Consistency
//
// Every call is one statement, atomic under PostgreSQL's default READ
// COMMITTED isolation. An UPDATE matches only a live row, so an extension
// racing a sign-out never brings the session back.
//
// # Measured
//
// Measured on a shared 2-core machine (PostgreSQL 15, fsync off, over
// loopback), each ratio from one loop that alternates the two operations:
//
//	ValidateSession hit / raw pgx SELECT by id     1.04 serial, 1.01 parallel; 19 vs 12 allocs
//	FetchSessionsForUser (10), 100,000 / 1,000     1.13
//	DeleteSessionsForUser (10), 100,000 / 1,000    1.17
//	sweep, 1,000 of 100,000 expired                8.8 ms; a full-scan DELETE 145 ms (16x)
//	sweep, nothing expired                         8.7 ms*; a full-scan DELETE 50 ms
//
// (*) the sweep walks the index entries of rows that the sweeps before
// deleted, until vacuum removes them; on a freshly vacuumed table a sweep
// of 1,000 expired rows took 1.1 ms (EXPLAIN ANALYZE).
// Deleting rows, not finding them, is most of a sweep's cost: the full
// scan itself adds about 50 ms at 100,000 rows.
package postgresstore
