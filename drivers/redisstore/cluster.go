package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// The per-slot path, for Redis Cluster (and any client that is not a
// *redis.Client). A session key and its user's index key may live in
// different slots, even on different nodes, so no single command or script
// may touch both. Each step touches one key, and the steps are ordered so
// that one invariant holds at every instant, whatever crashes or races:
//
//	every live session has an index entry whose score is at least its
//	ExpiresAt.
//
// Hence: SaveSession writes the index entry before the session; an
// extension raises the index score (ZADD GT, never lower) before the
// session's expiry; DeleteSession and DeleteSessionsForUser remove sessions
// before index entries. A process dying between two steps can only leave an
// index entry that names a missing or shorter-lived session. Such an entry is
// harmless: FetchSessionsForUser reads each session and lists only live ones
// of that user, and DeleteSessionsForUser deletes a session only if the user
// owns it. It is removed by score once its score passes, on the next write or
// read of that user's index or by DeleteAllExpiredSessions. Nothing removes
// an entry because its session is missing (reads do not, and
// DeleteSessionsForUser removes only the entries of sessions it deleted):
// that session may be a SaveSession between its two steps, and dropping its
// entry would leave a live session out of the index. A test races every
// operation to hold this.

func (s *Store) saveSlots(ctx context.Context, r narvik.Record, encUser string, value []byte) error {
	now := s.now()
	idx := s.indexKey(encUser)
	live := storekit.Live(r.ExpiresAt, now)
	if live {
		if err := slotIndexAdd.Run(ctx, s.client, []string{idx}, ms(now), ms(r.ExpiresAt), r.ID).Err(); err != nil {
			return storekit.Wrap(ctx, "redisstore: save session: index", err)
		}
		if err := s.settle(ctx, "save session: index", idx); err != nil {
			return err
		}
	}
	n, err := slotSave.Run(ctx, s.client, []string{s.sessionKey(r.ID)}, value, ms(r.ExpiresAt), ms(now), ownerField(encUser)).Int64()
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: save session", err)
	}
	switch n {
	case 1:
		return nil
	case 0:
		// The ID is another user's: take back the entry just added to this
		// user's index. If this fails, the entry is stale and harmless.
		if live {
			_ = slotIndexRemove.Run(ctx, s.client, []string{idx}, ms(now), r.ID).Err()
		}
		return narvik.ErrDuplicateSession
	default:
		// The same user's existing session: its entry was already there
		// (ZADD GT at most raised its score, which the invariant allows).
		return narvik.ErrDuplicateSession
	}
}

func (s *Store) updateSlots(ctx context.Context, id string, expiresAt time.Time) error {
	key := s.sessionKey(id)
	v, err := s.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return narvik.ErrSessionNotFound
	}
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: update session expiry", err)
	}
	old, owner, err := decodeRecord(id, v)
	if err != nil {
		return err
	}
	encUser := string(owner)
	now := s.now()
	if !storekit.Live(old.ExpiresAt, now) {
		return narvik.ErrSessionNotFound
	}
	// Raise the index score first. Lowering is skipped: a score above the
	// session's expiry is allowed, and the entry goes when the score passes.
	if expiresAt.After(old.ExpiresAt) {
		err := slotIndexAdd.Run(ctx, s.client, []string{s.indexKey(encUser)}, ms(now), ms(expiresAt), id).Err()
		if err != nil {
			return storekit.Wrap(ctx, "redisstore: update session expiry: index", err)
		}
		if err := s.settle(ctx, "update session expiry: index", s.indexKey(encUser)); err != nil {
			return err
		}
	}
	n, err := slotUpdate.Run(ctx, s.client, []string{key}, ms(now), ms(expiresAt), expiresBytes(expiresAt)).Int64()
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: update session expiry", err)
	}
	if err := checkResult("UpdateSessionExpiry", id, n); err != nil {
		return err
	}
	return s.settle(ctx, "update session expiry", key)
}

func (s *Store) deleteSlots(ctx context.Context, id string) error {
	key := s.sessionKey(id)
	v, err := s.client.GetDel(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return s.settle(ctx, "delete session", key)
	}
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: delete session", err)
	}
	// With WithReplicaAcks the replicas have the deletion before its index
	// entry goes, so a concurrent DeleteSessionsForUser that no longer finds
	// the entry may return at once.
	if err := s.settle(ctx, "delete session", key); err != nil {
		return err
	}
	_, owner, err := decodeRecord(id, v)
	if err != nil {
		return nil // not ours, and gone now: no index entry to find
	}
	if err := slotIndexRemove.Run(ctx, s.client, []string{s.indexKey(string(owner))}, ms(s.now()), id).Err(); err != nil {
		return storekit.Wrap(ctx, "redisstore: delete session: index", err)
	}
	return nil
}

func (s *Store) deleteUserSlots(ctx context.Context, encUser string) error {
	idx := s.indexKey(encUser)
	ids, err := s.client.ZRange(ctx, idx, 0, -1).Result()
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: delete sessions for user", err)
	}
	owner := ownerField(encUser)
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		deleted, err := runPipelined(ctx, s.client, slotDeleteOwned, len(chunk), func(i int) ([]string, []any) {
			return []string{s.sessionKey(chunk[i])}, []any{owner}
		})
		if err != nil {
			return storekit.Wrap(ctx, "redisstore: delete sessions for user", err)
		}
		if err := s.settleSessions(ctx, "delete sessions for user", chunk); err != nil {
			return err
		}
		// Remove only the entries of sessions this call deleted. An entry
		// whose session is missing may belong to a SaveSession between its
		// two steps: removing it would leave that session unindexed. It stays
		// until its score passes, like any stale entry.
		args := []any{ms(s.now())}
		for i, id := range chunk {
			if deleted[i] == 1 {
				args = append(args, id)
			}
		}
		if len(args) == 1 {
			continue
		}
		if err := slotIndexRemove.Run(ctx, s.client, []string{idx}, args...).Err(); err != nil {
			return storekit.Wrap(ctx, "redisstore: delete sessions for user: index", err)
		}
	}
	return nil
}

// runPipelined runs script n times in one pipeline (one round trip per node
// in a cluster) and returns the integer answers. Calls that fail with
// NOSCRIPT, because a node has not seen the script yet or restarted, are
// sent again with EVAL.
func runPipelined(ctx context.Context, c redis.UniversalClient, script *redis.Script, n int, call func(i int) ([]string, []any)) ([]int64, error) {
	cmds := make([]*redis.Cmd, n)
	pipe := c.Pipeline()
	for i := range n {
		keys, args := call(i)
		cmds[i] = script.EvalSha(ctx, pipe, keys, args...)
	}
	_, _ = pipe.Exec(ctx) // errors are read per command below
	var retry []int
	for i, cmd := range cmds {
		if err := cmd.Err(); err != nil {
			if !redis.HasErrorPrefix(err, "NOSCRIPT") {
				return nil, err
			}
			retry = append(retry, i)
		}
	}
	if len(retry) > 0 {
		pipe = c.Pipeline()
		for _, i := range retry {
			keys, args := call(i)
			cmds[i] = script.Eval(ctx, pipe, keys, args...)
		}
		_, _ = pipe.Exec(ctx)
	}
	out := make([]int64, n)
	for i, cmd := range cmds {
		v, err := cmd.Int64()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
