package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// Errors of this package, matched with errors.Is.
var (
	// ErrNilClient is returned by New when the client is nil.
	ErrNilClient = errors.New("redisstore: nil redis client")
	// ErrCorruptRecord means a key in the store's namespace holds a value
	// this package did not write. No record is returned with it.
	ErrCorruptRecord = errors.New("redisstore: corrupt session value")
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
	acks       *replicaAcks
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.NativeExpiry = (*Store)(nil)
)

// New returns a Store over client, which may be a *redis.Client (a single
// server or a Sentinel failover client), a *redis.ClusterClient or any other
// redis.UniversalClient. It fails with ErrNilClient for a nil client and
// with an error wrapping narvik.ErrInvalidOption for an empty key prefix or
// an unusable WithReplicaAcks. New does no I/O.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	single := false
	switch c := client.(type) {
	case nil:
		return nil, ErrNilClient
	case *redis.Client:
		if c == nil {
			return nil, ErrNilClient
		}
		single = true
	case *redis.ClusterClient:
		if c == nil {
			return nil, ErrNilClient
		}
	case *redis.Ring:
		if c == nil {
			return nil, ErrNilClient
		}
	}
	cfg := config{prefix: DefaultKeyPrefix}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.prefix == "" {
		return nil, fmt.Errorf("%w: redisstore: empty key prefix", narvik.ErrInvalidOption)
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
		acks:       cfg.acks,
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
func ms(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

// fail wraps a Redis error with the operation's name. When the context is
// done it is wrapped too, so errors.Is(err, context.Canceled) holds even if
// the client reported the cancellation as a network error.
func fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("redisstore: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("redisstore: %s: %w", op, err)
}

// FetchSession returns the live session with this ID: one GET.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return narvik.Record{}, fail(ctx, "fetch session", err)
	}
	v, err := s.client.Get(ctx, s.sessionKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	if err != nil {
		return narvik.Record{}, fail(ctx, "fetch session", err)
	}
	r, _, err := decodeRecord(id, v)
	if err != nil {
		return narvik.Record{}, err
	}
	// Redis removes the key at ExpiresAt by its own clock; this check holds
	// the boundary (ExpiresAt == now is expired) and any clock skew.
	if !r.ExpiresAt.After(s.now()) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return r, nil
}

// SaveSession stores r unless its ID exists (narvik.ErrDuplicateSession).
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "save session", err)
	}
	encUser := encodeUser(r.UserID)
	value := encodeRecord(r, encUser)
	if s.single {
		return s.saveSingle(ctx, r, encUser, value)
	}
	return s.saveSlots(ctx, r, encUser, value)
}

// UpdateSessionExpiry moves the expiry of a live session; a missing or
// expired session gives narvik.ErrSessionNotFound and nothing is created.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "update session expiry", err)
	}
	if s.single {
		return s.updateSingle(ctx, id, expiresAt)
	}
	return s.updateSlots(ctx, id, expiresAt)
}

// DeleteSession removes a session and its index entry. Idempotent.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "delete session", err)
	}
	if s.single {
		return s.deleteSingle(ctx, id)
	}
	return s.deleteSlots(ctx, id)
}

// DeleteSessionsForUser removes every session of the user: O(that user's
// sessions), never a scan.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return fail(ctx, "delete sessions for user", err)
	}
	encUser := encodeUser(userID)
	if s.single {
		err := singleDeleteUser.Run(ctx, s.revoker(), []string{s.indexKey(encUser)}, s.sessPrefix, ownerField(encUser)).Err()
		if err != nil {
			return fail(ctx, "delete sessions for user", err)
		}
		return nil
	}
	return s.deleteUserSlots(ctx, encUser)
}

// checkResult maps a script's answer to the store's errors.
func checkResult(op, id string, n int64) error {
	switch n {
	case 1:
		return nil
	case 0:
		return narvik.ErrSessionNotFound
	default:
		return fmt.Errorf("%w: session %q: %s found a key without expiry", ErrCorruptRecord, id, op)
	}
}
