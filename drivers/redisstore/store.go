package redisstore

import (
	"strconv"
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
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.NativeExpiry = (*Store)(nil)
)

// New returns a Store over client, which may be a *redis.Client (a single
// server or a Sentinel failover client), a *redis.ClusterClient or any other
// redis.UniversalClient. A nil client gives an error wrapping
// narvik.ErrNilClient, an empty key prefix one wrapping
// narvik.ErrInvalidOption. New does no I/O.
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
	return &Store{
		client:     client,
		single:     single,
		prefix:     cfg.prefix,
		sessPrefix: cfg.prefix + "s:",
		userPrefix: cfg.prefix + "u:",
		now:        time.Now,
	}, nil
}

// ExpiresNatively reports true: Redis deletes session keys at their
// ExpiresAt, so DeleteAllExpiredSessions has no session to remove.
func (s *Store) ExpiresNatively() bool { return true }

// sessionKey is the key of a session. The ID goes in raw: session keys and
// index keys differ in the byte after the prefix ('s' or 'u'), so no ID can
// name another key, and a hash tag inside an ID only moves that one key to
// another slot, which no operation depends on.
func (s *Store) sessionKey(id string) string { return s.sessPrefix + id }

// indexKey is the key of a user's index, from the user ID's encoding.
func (s *Store) indexKey(encUser string) string { return s.userPrefix + encUser }

// ms formats a time as decimal Unix milliseconds for Redis.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
