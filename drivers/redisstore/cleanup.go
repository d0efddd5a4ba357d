package redisstore

import (
	"context"
	"strings"

	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// DeleteAllExpiredSessions removes the expired entries of every user index
// and returns 0: Redis deletes session keys itself at their ExpiresAt (the
// store implements narvik.NativeExpiry), so this call never finds a session
// to remove.
//
// It is maintenance, never needed for correctness: an index is trimmed on
// every write and read of its user, and the index key expires with its
// longest-lived session. It finds index keys with SCAN MATCH
// "<prefix>u:*" COUNT 1000 on each server (each master of a cluster), which
// costs the server a walk of its whole keyspace in steps of about 1,000 keys,
// one round trip each, never blocking it, and trims each index found with
// ZREMRANGEBYSCORE, one pipeline per step. Run it from a periodic job, not on
// a request path.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	match := escapeGlob(s.userPrefix) + "*"
	now := ms(s.now())
	trim := func(ctx context.Context, node redis.UniversalClient) error {
		var cursor uint64
		for {
			keys, next, err := node.Scan(ctx, cursor, match, batch).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 {
				pipe := node.Pipeline()
				for _, k := range keys {
					pipe.ZRemRangeByScore(ctx, k, "-inf", now)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
			if cursor = next; cursor == 0 {
				return nil
			}
		}
	}
	nodes, err := servers(ctx, s.client, false)
	if err != nil {
		return 0, storekit.Wrap(ctx, "redisstore: delete expired sessions", err)
	}
	for _, node := range nodes {
		if err := trim(ctx, node); err != nil {
			return 0, storekit.Wrap(ctx, "redisstore: delete expired sessions", err)
		}
	}
	return 0, nil
}

// escapeGlob escapes the characters that SCAN MATCH treats as a pattern, so a
// prefix such as "app*" matches only itself.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[]\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
