// Package mysqlstore is a narvik.SessionStore on MySQL (8.0 or later) or
// MariaDB (10.11 or later) through database/sql and
// github.com/go-sql-driver/mysql. The tests run on MariaDB 10.11 (the
// server Debian 12 ships); MySQL 8.0 is supported by its documented
// behaviour (the statements are those both servers share) but not run in
// CI:
//
//	db, err := sql.Open("mysql", "app:secret@tcp(db:3306)/app")
//	store, err := mysqlstore.New(db)   // no I/O
//	err = store.EnsureSchema(ctx)      // or your migration tool
//	defer store.Close()                // releases its prepared statements
//	auth, err := narvik.New[MyData](store)
//
// The caller owns the *sql.DB and closes it after the store. Give it a
// connection limit (db.SetMaxOpenConns) below the server's
// max_connections. The store starts no goroutines.
//
// # Schema
//
// One table (WithTable, default narvik_sessions) and two indexes. Create
// them with EnsureSchema (idempotent: it creates the table if missing and
// adds either index an existing table lacks) or with goose, golang-migrate
// or Atlas from this DDL:
//
//	CREATE TABLE narvik_sessions (
//		id         CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, -- SHA-256 of the token, hex
//		user_id    VARBINARY(2048) NOT NULL,
//		expires_at BIGINT NOT NULL,   -- Unix milliseconds
//		created_at BIGINT NOT NULL,   -- Unix milliseconds
//		data       MEDIUMBLOB NOT NULL,
//		PRIMARY KEY (id),
//		KEY narvik_sessions_user_idx (user_id, expires_at),
//		KEY narvik_sessions_expires_idx (expires_at)
//	) ENGINE=InnoDB;
//
// Why these types:
//
//   - user_id is VARBINARY: it compares bytes. MySQL's and MariaDB's
//     default collations (utf8mb4_general_ci, utf8mb4_0900_ai_ci) are
//     case- and accent-insensitive, and even utf8mb4_bin pads with spaces
//     on MariaDB: with any of them "alice", "ALICE", "alicé" and "alice "
//     would be one user, and signing one out everywhere would sign out the
//     others. A binary string has no collation, no padding and no character
//     set conversion, on MySQL and MariaDB alike, so any bytes are kept
//     exactly (invalid UTF-8 and NUL included) and a user ID longer than
//     MaxUserIDLen is refused with narvik.ErrInvalidUserID rather than
//     truncated. It still joins a VARCHAR users.id (the comparison is then
//     binary). The mysql client shows it in hex by default
//     (--skip-binary-as-hex shows text).
//   - id is CHAR(64) of ASCII, compared as bytes (ascii_bin). CHAR ignores
//     trailing spaces when comparing, so a session ID that is not 64
//     lowercase hex is refused before any query (narvik.ErrInvalidSessionID
//     on save; not found on read).
//   - Times are integer milliseconds, not DATETIME(3): the three SQL
//     drivers share one schema shape and one code path, a millisecond
//     survives exactly, and no time_zone setting or DSN option (loc,
//     parseTime) can shift a value. Read them with
//     FROM_UNIXTIME(expires_at / 1000).
//   - data is MEDIUMBLOB (up to 16 MiB): BLOB stops at 64 KiB - 1.
//
// Only the SHA-256 of a token is stored, never the token (a test reads the
// table back to check).
//
// # Cost of each call
//
// Every statement is prepared on first use and kept (Close releases
// them): each call is then one round trip (unprepared, go-sql-driver
// would prepare, execute and close a statement with arguments: two).
//
//	SaveSession               INSERT; ER_DUP_ENTRY (1062) = duplicate (no INSERT IGNORE, which hides other errors)
//	FetchSession              SELECT by primary key, WHERE expires_at > now
//	UpdateSessionExpiry       UPDATE by primary key, WHERE expires_at > now; 0 rows = not found*
//	DeleteSession             DELETE by primary key
//	FetchSessionsForUser      SELECT through (user_id, expires_at)
//	DeleteSessionsForUser     DELETE through (user_id, expires_at)
//	DeleteAllExpiredSessions  DELETE ... ORDER BY expires_at, id LIMIT 5000, repeated until fewer
//	AllSessions               SELECT of 500 rows by primary key after the last one read (keyset pagination)
//
// (*) MySQL counts a row set to the value it already had as unchanged, so
// when the UPDATE reports 0 rows one SELECT tells "unchanged" from
// "missing" (two round trips for a missing session); narvik's extensions
// always change the value, so ValidateSession costs one SELECT, and one
// UPDATE more when it extends (TestRoundTrips counts them). The sweep
// deletes in batches, each its own statement and transaction, so a
// backlog never holds one long lock; its ORDER BY covers the whole index
// key, so the batch is deterministic for statement-based replication.
// Concurrent sweeps wait for each other's row locks and never count a row
// twice. A write that InnoDB rolls back as a deadlock victim (many
// extensions racing a sign-out of one session can cause one) is run
// again, up to 4 times.
//
// # Whose clock
//
// The application's. "now" is sent as a parameter, as every narvik driver
// judges expiry by the same clock that the core uses to extend sessions,
// so a session is never live for the store and expired for the core when
// the database server's clock differs. A row whose expires_at equals now
// is expired.
//
// # Measured
//
// Measured on a shared 2-core machine (MariaDB 10.11 over loopback,
// innodb_flush_log_at_trx_commit=2), each ratio from one loop that
// alternates the two operations:
//
//	ValidateSession hit / raw prepared SELECT by id   1.15 serial, 1.05 parallel; 36 vs 27 allocs
//	FetchSessionsForUser (10), 100,000 / 1,000        1.20
//	DeleteSessionsForUser (10), 100,000 / 1,000       0.39
//	sweep, 1,000 of 100,000 expired                   45 ms; a full-scan DELETE 339 ms (7.5x)
//	sweep, nothing expired                            0.06 ms; a full-scan DELETE 118 ms
//
// Deleting rows (three InnoDB indexes each) is most of a sweep's cost, so
// with many rows expired the index saves the scan but not the deletes.
package mysqlstore
