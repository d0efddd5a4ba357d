// Package redisstore is a narvik.SessionStore on Redis (7.0 or later), for a
// single server, a Sentinel-managed primary and Redis Cluster alike, through
// github.com/redis/go-redis/v9:
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redisstore.New(client) // or redis.NewClusterClient(...)
//	auth, err := narvik.New[MyData](store)
//
// The caller owns the client and closes it; the store starts no goroutines.
//
// # What is stored
//
// Two kinds of keys, under a prefix (WithKeyPrefix, default "narvik:"):
//
//	<prefix>s:<session ID>        a string: the session (layout in record.go)
//	<prefix>u:<base64url(user)>   a sorted set: the user's session IDs,
//	                              scored by ExpiresAt in Unix milliseconds
//
// The session value is one compact binary string: ExpiresAt, CreatedAt (both
// in milliseconds), the owner and the data. A string rather than a hash
// because FetchSession is then one GET with one bulk reply (no field map to
// build), and because fixed offsets let the scripts overwrite the expiry with
// an 8-byte SETRANGE and check the owner with one GETRANGE. The session key
// expires at ExpiresAt (SET PXAT, PEXPIREAT), so Redis deletes it by itself;
// reads also compare ExpiresAt with the clock, so a session is never returned
// at or after its ExpiresAt. Session IDs are the SHA-256 of tokens: no token
// is ever sent to Redis (a test reads every key back to check).
//
// # Keys cannot be injected
//
// User IDs reach keys only as unpadded base64url ([A-Za-z0-9_-]), so ':',
// '{', '}', '*', spaces or NUL in a user ID can neither make two users share
// an index nor put a hash tag in an index key. Session IDs go in raw: a
// session key and an index key differ in the byte after the prefix, so no ID
// can name an index, and a hash tag inside an ID only decides that one key's
// slot, which no operation depends on. The cleanup's SCAN pattern escapes
// glob characters in the prefix.
//
// # The per-user index
//
// Each user's sorted set is trimmed of expired entries (ZREMRANGEBYSCORE) on
// every write and read of it, and its own expiry is set to its highest score,
// so it never outlives the sessions it lists and disappears with the last.
// FetchSessionsForUser and DeleteSessionsForUser cost O(that user's
// sessions): never SCAN or KEYS.
//
// # Standalone server: one round trip per operation, atomic
//
// With a *redis.Client, SaveSession, UpdateSessionExpiry, DeleteSession and
// DeleteSessionsForUser are each one Lua script (EVALSHA: one round trip; the
// first call after the server lost its script cache retries once with EVAL).
// The session and its index change together or not at all. FetchSession is
// one GET; FetchSessionsForUser two pipelines (trim and list, then MGET).
// SaveSession is put-if-absent. UpdateSessionExpiry checks and changes the
// key inside one script, so it never recreates a deleted or expired session
// and no concurrent delete can be undone. These scripts find the owner's
// index from the session value, a key they cannot declare in advance, which
// a standalone server allows and a cluster does not.
//
// # Redis Cluster: per-slot steps, ordered
//
// A session key and its user's index key usually sit in different slots, so
// with a *redis.ClusterClient (or any client other than *redis.Client) every
// command and script touches one key, and no operation can fail with
// CROSSSLOT. The steps are ordered so that, whatever crashes or races, every
// live session has an index entry scored at or above its ExpiresAt:
//
//	SaveSession            index entry (ZADD GT), then session (put-if-absent)   2 round trips
//	UpdateSessionExpiry    GET, raise index score (GT), then session             3 (2 if not extending)
//	DeleteSession          GETDEL session, then its index entry                  2
//	DeleteSessionsForUser  list index, delete owned sessions, remove their       3 (+2 per 1,000
//	                       entries                                                 sessions)
//	FetchSession           GET                                                   1
//	FetchSessionsForUser   trim and list index, then GETs pipelined per node     2
//
// Each step is atomic, but an operation is not: a process that dies between
// two steps leaves at most an index entry naming a missing session, another
// user's session (a refused duplicate whose entry could not be taken back)
// or a session with an earlier expiry. Such an entry is harmless: listings
// read every session and keep only live ones of that user, and
// DeleteSessionsForUser deletes a session only after checking its owner in
// the same script. It is removed by the first trim after its score passes.
// Nothing removes an entry merely because its session is missing: that
// session may be a SaveSession between its two steps, and dropping its entry
// would hide a live session from "sign out everywhere". So a session is never
// missed by DeleteSessionsForUser, and never listed or deleted for the wrong
// user; a test races every operation to hold this on both code paths.
//
// # Expired sessions
//
// The store implements narvik.NativeExpiry. DeleteAllExpiredSessions trims
// expired entries from every index under the prefix and returns 0, because
// Redis has already removed the expired sessions themselves. It finds the
// indexes with SCAN MATCH on each master: a walk of the whole keyspace in
// steps of 1,000 keys, never blocking the server, for a periodic job only.
// Nothing depends on it: indexes are trimmed on use and expire by themselves.
//
// # Failover: replica acknowledgements
//
// Redis replicates asynchronously. A DEL that the primary acknowledged and
// that no replica received before the primary died is lost when a replica
// is promoted (by Sentinel, by the Cluster or by hand), and the revoked
// session validates again. TestFailoverWithoutAcks shows this window
// deterministically: it holds back the replication stream, revokes, kills
// the primary and promotes the replica. On loopback the window is well
// under a millisecond; across a network, or behind a replica that lags
// under load, it is as long as the replica's lag.
//
// WithReplicaAcks(n, timeout) closes it. DeleteSession,
// DeleteSessionsForUser and UpdateSessionExpiry return only after n
// replicas acknowledged every write the primary made before (Redis WAIT),
// or fail with an error wrapping ErrReplicaAck: never a silent success, but
// the write may have been made on the primary, so retry it. On a standalone
// or Sentinel-managed primary the script, a no-op write and WAIT go in one
// pipeline on one connection, still one round trip; the no-op write makes
// the WAIT cover a concurrent call's deletion of the same session too. On a
// Cluster, go-redis sends a keyless WAIT to any primary, or refuses it in a
// pipeline, so the store sends the no-op write and WAIT through the client
// of the primary that owns the written slot, after each step and before the
// next relies on it: a session's deletion reaches the replicas before its
// index entry goes, and an index entry before its session is saved or
// extended (so a failover cannot hide a live session from
// DeleteSessionsForUser). With fewer than n replicas connected these calls
// fail after timeout, and so do validations that extend a session. The
// cost is in the option's documentation, measured by BenchmarkReplicaAcks.
//
// With the option, TestReplicaAcksSurviveFailover kills the primary the
// moment each kind of revocation returns, on both code paths, and the
// promoted replica always has it. The conformance suite passes through a
// Sentinel-managed pair (redis.NewFailoverClient) and through a Cluster of
// two primaries with a replica each, and sessions created before a Sentinel
// failover or a Cluster takeover validate after it, while revoked ones stay
// revoked.
//
// # What is verified where
//
// The conformance suite (conformance.Run, with the core's own checks) runs
// against a standalone Redis 7.0, against a 3-master Redis Cluster, and with
// the cluster code path on the standalone server. Tests hold the round trips
// above with a go-redis hook, check the key layout and the index lifetime,
// play the leftovers of a crash between slots, feed values this package did
// not write (ErrCorruptRecord, never a session), read Redis directly to show
// no token is stored, and kill and restart a private redis-server under
// concurrent ValidateSession calls (errors during the outage, the same client
// working after it, no goroutine left).
package redisstore
