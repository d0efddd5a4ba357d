package redisstore

import (
	"context"
	"errors"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// FetchSessionsForUser returns every live session of the user in two round
// trips, whatever their number: one pipeline that trims the user's index
// and reads the IDs whose score is in the future, then one pipeline that
// reads those sessions (MGET in batches on a standalone server; GETs, sent
// to each node concurrently, in a cluster). Only sessions that exist, are
// live and belong to the user are listed, so a stale index entry is never
// visible.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fail(ctx, "fetch sessions for user", err)
	}
	encUser := encodeUser(userID)
	idx := s.indexKey(encUser)
	now := s.now()
	pipe := s.client.Pipeline()
	pipe.ZRemRangeByScore(ctx, idx, "-inf", ms(now))
	idsCmd := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: idx, Start: "(" + ms(now), Stop: "+inf", ByScore: true})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fail(ctx, "fetch sessions for user", err)
	}
	ids := idsCmd.Val()
	if len(ids) == 0 {
		return []narvik.Record{}, nil
	}

	values, err := s.getMany(ctx, ids)
	if err != nil {
		return nil, fail(ctx, "fetch sessions for user", err)
	}
	out := make([]narvik.Record, 0, len(ids))
	for i, v := range values {
		if v == nil {
			continue // expired or deleted since the index was read, or stale
		}
		r, owner, err := decodeRecord(ids[i], *v)
		if err != nil {
			return nil, err
		}
		if owner != encUser || !r.ExpiresAt.After(now) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// getMany reads the sessions of ids in one pipeline; a nil entry is a
// missing key.
func (s *Store) getMany(ctx context.Context, ids []string) ([]*string, error) {
	out := make([]*string, len(ids))
	pipe := s.client.Pipeline()
	if s.single {
		cmds := make([]*redis.SliceCmd, 0, (len(ids)+batch-1)/batch)
		for start := 0; start < len(ids); start += batch {
			chunk := ids[start:min(start+batch, len(ids))]
			keys := make([]string, len(chunk))
			for i, id := range chunk {
				keys[i] = s.sessionKey(id)
			}
			cmds = append(cmds, pipe.MGet(ctx, keys...))
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, err
		}
		i := 0
		for _, cmd := range cmds {
			for _, v := range cmd.Val() {
				if str, ok := v.(string); ok {
					out[i] = &str
				}
				i++
			}
		}
		return out, nil
	}
	// In a cluster an MGET across slots is refused (CROSSSLOT); the client
	// splits a pipeline of GETs by node and sends the parts concurrently.
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, s.sessionKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, err
	}
	for i, cmd := range cmds {
		v, err := cmd.Result()
		switch {
		case errors.Is(err, redis.Nil):
		case err != nil:
			return nil, err
		default:
			out[i] = &v
		}
	}
	return out, nil
}
