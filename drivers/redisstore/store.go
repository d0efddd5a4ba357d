package redisstore

import (
	"strconv"
	"strings"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// DefaultKeyPrefix is the key prefix used unless WithKeyPrefix says otherwise.
const DefaultKeyPrefix = "narvik:"

// Option configures a Store.
type Option func(*config)

type config struct {
	prefix string
	acks   *replicaAcks // WithReplicaAcks (acks.go); nil: no waiting
}

// WithKeyPrefix sets the prefix of every key the store writes (default
// "narvik:"). Stores with different prefixes share nothing. The prefix must
// not be empty; it may contain any bytes, a cluster hash tag included (then
// every key of the store lands in one slot, which is correct but puts all
// sessions on one node).
func WithKeyPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// Store is a narvik.SessionStore on Redis. It is safe for concurrent use,
// starts no goroutines and owns nothing that needs closing: the caller owns
// the client and closes it.
type Store struct {
	client redis.UniversalClient
	// single is true for a *redis.Client (standalone server or Sentinel
	// primary), where one Lua script may touch a session and its index.
	// Every other client (cluster, ring, wrappers) gets the per-slot path.
	single bool

	prefix     string // as given
	sessPrefix string // prefix + "s:", followed by the raw session ID
	userPrefix string // prefix + "u:", followed by the base64url user ID
	now        func() time.Time
	scanCount  int64 // the COUNT of the SCANs of the sweep and the walk
	acks       *replicaAcks
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.NativeExpiry = (*Store)(nil)
)

// New returns a Store over client, which may be a *redis.Client (a single
// server or a Sentinel failover client), a *redis.ClusterClient or any other
// redis.UniversalClient. A nil client gives an error wrapping
// narvik.ErrNilClient, an empty key prefix or an unusable WithReplicaAcks
// one wrapping narvik.ErrInvalidOption. New does no I/O.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	single := false
	switch c := client.(type) {
	case nil:
		return nil, storekit.NilClient(driver, "redis.UniversalClient")
	case *redis.Client:
		if c == nil {
			return nil, storekit.NilClient(driver, "*redis.Client")
		}
		single = true
	case *redis.ClusterClient:
		if c == nil {
			return nil, storekit.NilClient(driver, "*redis.ClusterClient")
		}
	case *redis.Ring:
		if c == nil {
			return nil, storekit.NilClient(driver, "*redis.Ring")
		}
	}
	cfg := config{prefix: DefaultKeyPrefix}
	storekit.Apply(&cfg, opts)
	if cfg.prefix == "" {
		return nil, storekit.InvalidOption(driver, `WithKeyPrefix(""): want a non-empty prefix`)
	}
	if err := cfg.acks.check(client); err != nil {
		return nil, err
	}
	return &Store{
		client:     client,
		single:     single,
		prefix:     cfg.prefix,
		sessPrefix: cfg.prefix + "s:",
		userPrefix: cfg.prefix + "u:",
		now:        time.Now,
		scanCount:  batch,
		acks:       cfg.acks,
	}, nil
}

// ExpiresNatively reports true: Redis deletes session keys at their
// ExpiresAt, so DeleteAllExpiredSessions has no session to remove.
func (s *Store) ExpiresNatively() bool { return true }

// The store's keys follow a grammar that no other store's keys and no key
// of another kind can match, so that what walks the keyspace (the sweep,
// the walk) touches only keys it can prove are its own, even where the
// prefixes of several stores nest ("app:", "app:u:", "app:s:"):
//
//	<prefix>s:<64 lowercase hex>            a session
//	<prefix>u:<canonical unpadded base64url> a user's index
//
// The part after "s:" or "u:" never holds a ':', while every key of a store
// whose prefix extends this one ("<prefix>u:x:") holds one there: its own
// "s:" or "u:". Session IDs are therefore refused unless they are what the
// core sends (64 lowercase hex, storekit.CheckSessionID).

// sessionKey is the key of a session.
func (s *Store) sessionKey(id string) string { return s.sessPrefix + id }

// indexKey is the key of a user's index, from the user ID's encoding.
func (s *Store) indexKey(encUser string) string { return s.userPrefix + encUser }

// isIndexKey reports whether key is in the grammar of this store's index
// keys: the index prefix, then the canonical encoding of a user ID.
func (s *Store) isIndexKey(key string) bool {
	enc, ok := strings.CutPrefix(key, s.userPrefix)
	if !ok {
		return false
	}
	_, canonical := decodeUser(nil, []byte(enc))
	return canonical
}

// sessionIDOf returns the session ID of key when key is in the grammar of
// this store's session keys.
func (s *Store) sessionIDOf(key string) (string, bool) {
	id, ok := strings.CutPrefix(key, s.sessPrefix)
	return id, ok && storekit.ValidSessionID(id)
}

// ms formats a time as decimal Unix milliseconds for Redis.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
