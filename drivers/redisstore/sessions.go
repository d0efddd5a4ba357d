package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// The seven methods of narvik.SessionStore (DeleteAllExpiredSessions is in
// cleanup.go). Each write dispatches to its code path: standalone.go (one
// Lua script) or cluster.go (per-slot steps). A revocation (DeleteSession,
// DeleteSessionsForUser, UpdateSessionExpiry) is complete when that path
// function returns: the server has acknowledged its last write.

// FetchSession returns the live session with this ID: one GET.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if !storekit.ValidSessionID(id) {
		return narvik.Record{}, narvik.ErrSessionNotFound // SaveSession refuses it
	}
	// The reply read as bytes is the buffer the client allocated for this
	// one command: the record's Data is sliced from it, not copied.
	v, err := s.get(ctx, id).Bytes()
	if errors.Is(err, redis.Nil) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	if err != nil {
		return narvik.Record{}, storekit.Wrap(ctx, "redisstore: fetch session", err)
	}
	r, _, err := decodeRecord(id, v)
	if err != nil {
		return narvik.Record{}, err
	}
	// Redis removes the key at ExpiresAt by its own clock; this check holds
	// the boundary (ExpiresAt == now is expired) and any clock skew.
	if !storekit.Live(r.ExpiresAt, s.now()) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return r, nil
}

// get sends the GET of a session key. On a *redis.Client the command's
// arguments and the key are one sessionGet, one allocation where the
// client's Get would make three (the argument slice, the key boxed in an
// interface and the key string built from the prefix and the ID). Other
// clients hash the key to route the command, which would format a
// sessionGet on every call: they get the client's Get.
func (s *Store) get(ctx context.Context, id string) *redis.StringCmd {
	if !s.single {
		return s.client.Get(ctx, s.sessionKey(id))
	}
	g := new(sessionGet)
	g.key = append(append(g.buf[:0], s.sessPrefix...), id...)
	g.args = [2]any{"get", g}
	cmd := redis.NewStringCmd(ctx, g.args[:]...)
	_ = s.client.Process(ctx, cmd) // the error is cmd's too
	return cmd
}

// sessionGet holds the arguments of one GET of a session key: the command
// name and itself, whose MarshalBinary gives the client the key's bytes to
// write. The key lives in buf unless the prefix is long. String gives hooks
// and error messages (go-redis formats arguments it does not know with
// fmt) the key as text.
type sessionGet struct {
	args [2]any
	key  []byte
	buf  [128]byte
}

// MarshalBinary returns the key, for the client to write.
func (g *sessionGet) MarshalBinary() ([]byte, error) { return g.key, nil }

// String returns the key.
func (g *sessionGet) String() string { return string(g.key) }

// SaveSession stores r unless its ID exists (narvik.ErrDuplicateSession).
// A session ID other than 64 lowercase hex (the only kind the core sends)
// is refused with an error wrapping narvik.ErrInvalidSessionID: the key
// grammar depends on it.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := storekit.CheckSessionID(driver, r.ID); err != nil {
		return err
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
	if !storekit.ValidSessionID(id) {
		return narvik.ErrSessionNotFound
	}
	if s.single {
		return s.updateSingle(ctx, id, expiresAt)
	}
	return s.updateSlots(ctx, id, expiresAt)
}

// DeleteSession removes a session and its index entry. Idempotent.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !storekit.ValidSessionID(id) {
		return nil
	}
	if s.single {
		return s.deleteSingle(ctx, id)
	}
	return s.deleteSlots(ctx, id)
}

// DeleteSessionsForUser removes every session of the user: O(that user's
// sessions), never a scan.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	encUser := encodeUser(userID)
	if s.single {
		return s.deleteUserSingle(ctx, encUser)
	}
	return s.deleteUserSlots(ctx, encUser)
}

// FetchSessionsForUser returns every live session of the user in two round
// trips, whatever their number: one pipeline that trims the user's index
// and reads the IDs whose score is in the future, then one pipeline that
// reads those sessions (MGET in batches on a standalone server; GETs, sent
// to each node concurrently, in a cluster). Only sessions that exist, are
// live and belong to the user are listed, so a stale index entry is never
// visible.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	encUser := encodeUser(userID)
	idx := s.indexKey(encUser)
	now := s.now()
	pipe := s.client.Pipeline()
	pipe.ZRemRangeByScore(ctx, idx, "-inf", ms(now))
	idsCmd := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: idx, Start: "(" + ms(now), Stop: "+inf", ByScore: true})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, storekit.Wrap(ctx, "redisstore: fetch sessions for user", err)
	}
	ids := idsCmd.Val()
	if len(ids) == 0 {
		return []narvik.Record{}, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.sessionKey(id)
	}
	values, err := readValues(ctx, s.client, keys, s.single)
	if err != nil {
		return nil, storekit.Wrap(ctx, "redisstore: fetch sessions for user", err)
	}
	out := make([]narvik.Record, 0, len(ids))
	for i, v := range values {
		if v == nil {
			continue // expired or deleted since the index was read, or stale
		}
		r, owner, err := decodeRecord(ids[i], v)
		if err != nil {
			return nil, err
		}
		if string(owner) != encUser || !storekit.Live(r.ExpiresAt, now) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// batch bounds the keys of one MGET, the commands of one pipeline and the
// arguments of one script call (Lua's unpack has a stack limit).
const batch = 1000

// readValues reads keys in one pipeline; a nil entry is a missing key (an
// empty value is an empty, non-nil slice). Each value is a buffer of its
// own, for decodeRecord to slice.
// With mget the keys go in MGETs of up to batch keys, which a standalone
// server allows; otherwise (a cluster, where an MGET across slots is
// refused with CROSSSLOT) one GET each, which the client splits by node and
// sends to the nodes concurrently.
func readValues(ctx context.Context, c redis.Cmdable, keys []string, mget bool) ([][]byte, error) {
	out := make([][]byte, len(keys))
	pipe := c.Pipeline()
	if mget {
		cmds := make([]*redis.SliceCmd, 0, (len(keys)+batch-1)/batch)
		for start := 0; start < len(keys); start += batch {
			cmds = append(cmds, pipe.MGet(ctx, keys[start:min(start+batch, len(keys))]...))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, err
		}
		i := 0
		for _, cmd := range cmds {
			for _, v := range cmd.Val() {
				if str, ok := v.(string); ok {
					out[i] = append([]byte{}, str...) // non-nil even when empty
				}
				i++
			}
		}
		return out, nil
	}
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	for i, cmd := range cmds {
		v, err := cmd.Bytes()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return nil, err
		case v == nil:
			out[i] = []byte{} // an empty value, present
		default:
			out[i] = v
		}
	}
	return out, nil
}

// checkResult maps a script's answer to the store's errors.
func checkResult(op, id string, n int64) error {
	switch n {
	case 1:
		return nil
	case 0:
		return narvik.ErrSessionNotFound
	default:
		return corrupt(id, "%s found a key without expiry", op)
	}
}
