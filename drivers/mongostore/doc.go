// Package mongostore is a narvik.SessionStore on a MongoDB collection
// (go.mongodb.org/mongo-driver/v2).
//
//	client, err := mongo.Connect(options.Client().ApplyURI(uri))
//	store, err := mongostore.New(client.Database("app").Collection("sessions"))
//	err = store.EnsureSchema(ctx) // once at start-up: the indexes below
//	auth, err := narvik.New[MyData](store)
//
// New does no I/O. EnsureSchema creates the indexes; it is idempotent, so
// calling it at every start is fine, and an application whose database user
// may not create indexes skips it and has them created from the list below.
//
// # Documents
//
// One document per session, in a collection of its own:
//
//	{
//	  _id:       "<session ID: hex SHA-256 of the token, never the token>",
//	  userId:    "<user ID>",
//	  expiresAt: ISODate(...),   // BSON date, millisecond precision
//	  createdAt: ISODate(...),   // BSON date
//	  data:      BinData(0, ...) // the core's encoded session data
//	}
//
// IDs and user IDs are BSON string values, never keys or parts of a
// namespace, so any valid UTF-8 string (':', '/', '$', '.', NUL, 1 KiB) is
// stored as it is and cannot collide with another. BSON strings are UTF-8,
// and the wire replaces invalid bytes with U+FFFD ("\xff" and "\xfe" would
// both become "\uFFFD", one user): SaveSession refuses a user ID that is not
// valid UTF-8 with an error wrapping narvik.ErrInvalidUserID (a session ID,
// narvik.ErrInvalidSessionID; the core's are hex), and reads, deletes and
// listings of such IDs find nothing without asking the server.
//
// A document the store did not write (a field of another BSON type, a
// missing userId or expiresAt, data that is not generic binary) gives an
// error wrapping narvik.ErrBadRecord, never a record.
//
// # Indexes (the schema)
//
// EnsureSchema creates, in this order:
//
//	db.sessions.createIndex({userId: 1, expiresAt: 1}, {name: "userId_1_expiresAt_1"})
//	db.sessions.createIndex({expiresAt: 1}, {name: "expiresAt_1", expireAfterSeconds: 0})
//
// userId_1_expiresAt_1 serves FetchSessionsForUser (userId = u and
// expiresAt > now) and DeleteSessionsForUser. expiresAt_1 is a TTL index:
// the server's TTL monitor deletes a session once its expiresAt has passed;
// it also serves DeleteAllExpiredSessions. It is created in a createIndexes
// call of its own, because a server that refuses TTL indexes fails the whole
// call. FerretDB refuses them (NotImplemented, code 238): the store then
// logs one warning through its logger (WithLogger; slog.Default otherwise),
// creates a plain {expiresAt: 1} index under the same name, and keeps
// working. Every per-session call and AllSessions use MongoDB's own _id
// index.
//
// # Cost of each call
//
// Each call is one command, one round trip, on the indexes above (n
// documents in the collection, k of the user, e expired):
//
//	SaveSession               insert, w: "majority"                     O(log n)
//	FetchSession              find by _id (mongod's IDHACK path)        O(log n)
//	UpdateSessionExpiry       update on {_id, expiresAt > now}          O(log n)
//	DeleteSession             delete by _id                             O(log n)
//	FetchSessionsForUser      find on userId_1_expiresAt_1              O(k + log n), a getMore per further batch
//	DeleteSessionsForUser     delete many on userId_1_expiresAt_1       O(k log n)
//	DeleteAllExpiredSessions  delete many on expiresAt <= now           O(e log n)
//	AllSessions               a find per page of WithWalkPageSize       O(page + log n) per page
//	EnsureSchema              two or three createIndexes                once at start-up
//
// Majority writes wait for a majority of the replica set, so on a replica
// set a write costs that replication round trip too. FerretDB's SQLite
// backend pushes only {_id: ...} filters down to an index; every other query
// scans the collection there (see BenchmarkScale).
//
// # Expiry
//
// The TTL monitor runs every 60 seconds, or later under load, so an expired
// session usually stays stored for a while (and forever without a TTL index).
// The store never returns one: FetchSession checks the expiry of the document
// it finds, FetchSessionsForUser, UpdateSessionExpiry and AllSessions filter
// on expiresAt > now. Expiry is judged by this process's clock, in
// milliseconds. DeleteAllExpiredSessions works with or without the TTL index
// and returns how many documents it removed. Since the TTL monitor may remove
// some first, the store implements narvik.NativeExpiry and reports true,
// except after EnsureSchema saw the server refuse the TTL index, when it alone
// removes expired documents and counts them all.
//
// # Writes
//
// SaveSession is an insertOne: an existing _id gives narvik.ErrDuplicateSession
// (E11000) and leaves the stored document alone. UpdateSessionExpiry is an
// updateOne on {_id, expiresAt > now} that never upserts, so an extension that
// races a sign-out or the expiry changes nothing and reports
// narvik.ErrSessionNotFound: a deleted session never comes back.
//
// # Walking every session
//
// AllSessions (narvik.Enumerator, for migrations and operator tools) reads
// keyset pages in _id order: each page is a find of _id > the last _id seen
// and expiresAt > now, hinted to the _id index and limited to the page size.
// No server cursor stays open while the caller's loop runs, so a slow
// consumer never loses its cursor to the server's idle timeout; memory is one
// page; every session stored throughout the walk is yielded exactly once.
//
// # Consistency
//
// The store works on a clone of the collection with write concern
// "majority", read preference primary and read concern "local", whatever the
// collection was configured with:
//
//   - Majority writes: a sign-out (DeleteSession, DeleteSessionsForUser) that
//     was acknowledged is on a majority of the replica set, so it survives a
//     failover and is never rolled back.
//   - Primary reads: a secondary may lag, and a lagging secondary would still
//     return a session whose deletion was acknowledged.
//   - "local" rather than "majority" read concern: the primary that
//     acknowledged a majority delete reads it back under either; but a newly
//     elected primary's majority snapshot can lag behind writes the previous
//     primary had acknowledged (MongoDB before 8.0, SERVER-53813), while its
//     local data already holds every majority-acknowledged write. Local reads
//     can see writes that are later rolled back, but only unacknowledged ones:
//     a session whose SaveSession failed (its token was never handed out), an
//     extension (the session simply keeps its old expiry), or a deletion that
//     reported an error. None of them lets a signed-out session back in.
//
// Together: on a replica set, once DeleteSession has returned nil, no later
// FetchSession returns the session, failovers included. The one window left
// is MongoDB's own: during a network partition an old primary that has not
// yet stepped down (up to the election timeout, 10 s by default) can serve a
// client that has not yet seen the new primary (SERVER-89619); only
// linearizable reads close it, at the cost of a majority round trip per
// validation, and the store does not pay that by default.
//
// # Configuration
//
// WithLogger sets where the one warning goes (the TTL refusal);
// WithWalkPageSize the page of AllSessions (1,000 by default, 1 to
// 100,000). Anything else is the client's: timeouts, pools, TLS and
// credentials belong to the *mongo.Client, whose Disconnect is the
// caller's. The store adds no goroutines and keeps no connections of its
// own. Every call passes its context to the client, so a deadline bounds a
// call when the server is unreachable; errors wrap the driver's, and a call
// cut short by its context matches ctx.Err() with errors.Is.
package mongostore
