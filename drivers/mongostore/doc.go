// Package mongostore is a narvik.SessionStore on a MongoDB collection
// (go.mongodb.org/mongo-driver/v2).
//
//	client, err := mongo.Connect(options.Client().ApplyURI(uri))
//	store, err := mongostore.New(ctx, client.Database("app").Collection("sessions"))
//	auth, err := narvik.New[MyData](store)
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
// namespace, so any string (':', '/', '$', '.', NUL, unicode, 1 KiB) is stored
// as it is and cannot collide with another.
//
// # Indexes
//
// EnsureIndexes (run by New unless WithoutIndexCreation is given) creates:
//
//   - userId_1_expiresAt_1: {userId: 1, expiresAt: 1}, for FetchSessionsForUser
//     (which asks for userId = u and expiresAt > now) and DeleteSessionsForUser.
//   - expiresAt_1: {expiresAt: 1} with expireAfterSeconds: 0, a TTL index: the
//     server's TTL monitor deletes a session once its expiresAt has passed. It
//     is created in a createIndexes call of its own, because a server that
//     refuses TTL indexes fails the whole call. FerretDB refuses them
//     (NotImplemented, code 238): the store then logs one warning through its
//     logger (WithLogger; slog.Default otherwise), creates a plain
//     {expiresAt: 1} index under the same name for DeleteAllExpiredSessions,
//     and keeps working.
//   - _id_: MongoDB's own, for every per-session call.
//
// # Expiry
//
// The TTL monitor runs every 60 seconds, or later under load, so an expired
// session usually stays stored for a while (and forever without a TTL index).
// The store never returns one: FetchSession checks the expiry of the document
// it finds, FetchSessionsForUser and UpdateSessionExpiry filter on
// expiresAt > now. Expiry is judged by this process's clock, in milliseconds.
// DeleteAllExpiredSessions is a deleteMany on expiresAt <= now: it works with
// or without the TTL index and returns how many documents it removed. Since
// the TTL monitor may remove some first, the store implements
// narvik.NativeExpiry and reports true, except after the server refused the
// TTL index, when it alone removes expired documents and counts them all.
//
// # Writes
//
// SaveSession is an insertOne: an existing _id gives narvik.ErrDuplicateSession
// (E11000) and leaves the stored document alone. UpdateSessionExpiry is an
// updateOne on {_id, expiresAt > now} that never upserts, so an extension that
// races a sign-out or the expiry changes nothing and reports
// narvik.ErrSessionNotFound: a deleted session never comes back.
// DeleteSession is a deleteOne on _id; DeleteSessionsForUser a deleteMany on
// userId.
//
// # Consistency
//
// New works on a clone of the collection with write concern "majority", read
// preference primary and read concern "local", whatever the collection was
// configured with:
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
// The store adds no goroutines and keeps no connections of its own: the
// client and its Disconnect are the caller's. Every call honours its context,
// so a deadline bounds a call when the server is unreachable; errors wrap the
// driver's (errors.Is(err, context.DeadlineExceeded) and friends work).
//
// # What was verified where
//
// The tests run against whatever NARVIK_MONGO_URI names and ask the server
// (buildInfo) which assertions it can meet; no test depends on a flag set by
// hand. In this repository's CI that server is FerretDB v1.24.2 with its
// SQLite backend (tools/ferretdb), against which these are verified: the
// whole conformance suite (including expired-but-stored documents, no
// resurrection, E11000 mapped to ErrDuplicateSession, 1,000 sessions per
// user, odd IDs, cancelled contexts, and narvik.New driving the store), the
// document layout and BSON types, the index names and keys, the TTL refusal
// logged exactly once, the write and read concerns the driver sends, an outage
// and recovery with the same client, and the absence of tokens in stored
// documents.
//
// Only a real mongod shows the rest: the TTL index itself (the index test
// requires expireAfterSeconds: 0 on any server that is not FerretDB), the TTL
// monitor deleting expired documents (no test waits the 60 s or more it
// takes; reads never depend on it), and what majority writes and primary
// reads guarantee on a replica set during a failover (FerretDB accepts the
// concerns and ignores them). The same tests are written to pass unchanged
// when NARVIK_MONGO_URI points at MongoDB 7 or 8.
package mongostore
