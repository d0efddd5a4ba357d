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
// It finds the indexes with SCAN MATCH "<prefix>u:*" TYPE zset COUNT 1000
// on each server (each master of a cluster), which costs the server a walk
// of its whole keyspace in steps of about 1,000 keys, one round trip each,
// never blocking it, and trims each index found, one pipeline per step. Run
// it from a periodic job, not on a request path.
//
// It touches only keys it can prove are its own: sorted sets whose name is
// in the grammar of this store's index keys (see store.go). Keys of stores
// whose prefix extends this one's, and keys of any other type or name that
// the application wrote under the prefix, are left as they are.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	nodes, err := servers(ctx, s.client, false)
	if err != nil {
		return 0, storekit.Wrap(ctx, "redisstore: delete expired sessions", err)
	}
	for _, node := range nodes {
		if err := s.sweep(ctx, node); err != nil {
			return 0, storekit.Wrap(ctx, "redisstore: delete expired sessions", err)
		}
	}
	return 0, nil
}

// sweep trims the indexes of one server.
func (s *Store) sweep(ctx context.Context, node redis.UniversalClient) error {
	match := escapeGlob(s.userPrefix) + "*"
	now := ms(s.now())
	var cursor uint64
	for {
		found, next, err := node.ScanType(ctx, cursor, match, s.scanCount, "zset").Result()
		if err != nil {
			return err
		}
		keys := found[:0]
		for _, k := range found {
			if s.isIndexKey(k) {
				keys = append(keys, k)
			}
		}
		// The script checks the type again: the key may have been replaced
		// since SCAN saw it.
		if _, err := runPipelined(ctx, node, slotSweep, len(keys), func(i int) ([]string, []any) {
			return []string{keys[i]}, []any{now}
		}); err != nil {
			return err
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
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
