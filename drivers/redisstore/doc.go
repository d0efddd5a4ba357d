// Package redisstore is a narvik.SessionStore on Redis (7.0 or later), for a
// single server, a Sentinel-managed primary and Redis Cluster alike, through
// github.com/redis/go-redis/v9:
//
//	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
//	store, err := redisstore.New(client) // or redis.NewClusterClient(...)
//	auth, err := narvik.New[MyData](store)
//
// New does no I/O. The caller owns the client and closes it; the store
// starts no goroutines.
//
// # Configuration
//
// One option: WithKeyPrefix (default "narvik:"), the prefix of every key the
// store writes. Stores with different prefixes share nothing. Everything
// else (addresses, TLS, pool size, timeouts) is the client's. On the
// server, set maxmemory-policy to noeviction or a volatile-* policy, and
// call CheckServer at start-up to verify it (see Memory eviction).
//
// # Keys on the server
//
//	<prefix>s:<session ID>        a string: the session (layout in record.go)
//	<prefix>u:<base64url(user)>   a sorted set: the user's session IDs,
//	                              scored by ExpiresAt in Unix milliseconds
//
// The session value is one compact binary string: ExpiresAt, CreatedAt (both
// in milliseconds), the owner and the data. The session key expires at
// ExpiresAt (SET PXAT, PEXPIREAT), so Redis deletes it by itself; reads also
// compare ExpiresAt with the clock, so a session is never returned at or
// after its ExpiresAt. Session IDs are the SHA-256 of tokens: no token is
// ever sent to Redis.
//
// User IDs reach keys only as unpadded base64url ([A-Za-z0-9_-]), so ':',
// '{', '}', '*', spaces or NUL in a user ID can neither make two users share
// an index nor put a hash tag in an index key. Session IDs must be what the
// core sends, 64 lowercase hex (others are refused with
// narvik.ErrInvalidSessionID). Neither part ever holds a ':', so no key of
// a store whose prefix extends this one's ("app:" and "app:u:") has the
// shape of this store's keys: prefixes may nest. What walks the keyspace
// (DeleteAllExpiredSessions, AllSessions) touches only keys of its own
// shape and type, so keys the application writes under the prefix are left
// alone, unless they have exactly that shape and type (a sorted set named
// "<prefix>u:<base64url>", a string named "<prefix>s:<64 hex>"): do not
// write such keys.
//
// Each user's sorted set is trimmed of expired entries (ZREMRANGEBYSCORE) on
// every write and read of it. It never has a TTL (see Memory eviction):
// Redis deletes it when its last entry goes, when the user's last session
// is deleted or when a trim or DeleteAllExpiredSessions finds only expired
// entries.
//
// # Cost of each operation, in round trips
//
//	                        standalone   cluster
//	FetchSession            1 (GET)      1
//	SaveSession             1 (script)   2
//	UpdateSessionExpiry     1 (script)   3 (2 when shortening)
//	DeleteSession           1 (script)   2
//	FetchSessionsForUser    2            2 (the second one per node, concurrently)
//	DeleteSessionsForUser   1 (script)   3, +2 per further 1,000 sessions
//
// DeleteAllExpiredSessions and AllSessions SCAN every server (every master
// of a cluster): per page of about 1,000 keys of the whole keyspace, one
// round trip, plus one to trim the indexes or read the sessions found in it.
//
// Per-user work costs O(that user's sessions), never SCAN or KEYS. Scripts
// run with EVALSHA; the first call after a server lost its script cache
// costs one more round trip (EVAL).
//
// # Consistency
//
// With a *redis.Client (a single server or a Sentinel primary), every write
// is one Lua script: the session and its index change together or not at
// all. SaveSession is put-if-absent; UpdateSessionExpiry checks and changes
// the session in the same script, so it never recreates a deleted or
// expired session and no concurrent delete can be undone.
//
// With a *redis.ClusterClient (or any client other than *redis.Client) a
// session and its user's index usually sit in different slots, so every
// command and script touches one key (no CROSSSLOT), and the steps are
// ordered so that, whatever crashes or races, every live session has an
// index entry scored at or above its ExpiresAt: the index entry is written
// before the session, raised before an extension, removed after the
// session. A process dying between two steps leaves at most an entry naming
// a missing session, another user's session or a shorter-lived one; such an
// entry is never listed (listings read every session and keep only live
// ones of that user), can never make DeleteSessionsForUser delete another
// user's session (the owner is checked in the same script as the delete),
// and goes when its score passes. So DeleteSessionsForUser never misses a
// session, on either path.
//
// # Memory eviction: supported maxmemory policies
//
// Supported: noeviction and the volatile-* policies (volatile-lru, the
// default of the big managed services, volatile-lfu, volatile-random,
// volatile-ttl). Not supported: allkeys-lru, allkeys-lfu, allkeys-random.
// Call CheckServer at start-up: it reads every server's policy (CONFIG GET,
// or INFO where CONFIG is refused) and returns ErrUnsafeEvictionPolicy for
// the others.
//
// Why: session keys have a TTL and indexes have none, and volatile-*
// policies evict only keys with a TTL. So eviction only ever removes
// sessions, and evicting a session signs it out, which is safe: it stops
// validating at once. Under noeviction nothing is evicted; when memory is
// full, SaveSession and extensions fail with Redis's OOM error while
// validation, deletes and DeleteSessionsForUser keep working. An allkeys-*
// policy may evict a user's index, which is read far less often than the
// sessions it lists, so LRU and LFU pick it first: the user's sessions would
// then stay valid and invisible to "sign out everywhere".
//
// # Expired sessions
//
// The store implements narvik.NativeExpiry: Redis deletes expired sessions
// itself, so DeleteAllExpiredSessions returns 0. It trims the expired
// entries of every index under the prefix, found with SCAN MATCH ... TYPE
// zset on each server (each master of a cluster), never blocking the
// server, and so deletes the indexes of users whose sessions have all
// expired. Indexes have no TTL, so this is what frees the index of a user
// who never comes back (80 to 170 bytes per expired session, measured on
// Redis 7.0; the next write or read of that user would trim it too): run it
// from a periodic job, hourly or daily, not on a request path. Run it once
// after upgrading from a version whose indexes had a TTL: it clears those
// TTLs.
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
// With the option, a primary killed the moment a revocation returns leaves
// it on the promoted replica, under Sentinel and Cluster failovers too;
// docs/testing.md lists which test holds which promise.
//
// # Walking every session
//
// The store implements narvik.Enumerator: AllSessions yields every live
// session once, for migrations to another store and operator tools. It
// walks each server (each master of a cluster) with SCAN, a page of about
// 1,000 keys at a time, and holds one page of values. SCAN may return a key
// twice, so the walk remembers the ID of each session it yielded: 50 to 85
// bytes per session (under 90 MB for a million). Do not reshard a cluster
// during a walk: a session moved to a master already walked may be missed.
//
// # Errors
//
// A value under the prefix that this package did not write gives an error
// wrapping ErrCorruptRecord and narvik.ErrBadRecord, never a session. Server
// errors come wrapped with the operation's name; a call that failed because
// its context ended matches ctx.Err() with errors.Is.
package redisstore
