package redisstore

import (
	"context"
	"encoding/hex"
	"iter"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

var _ narvik.Enumerator = (*Store)(nil)

// walkCursor is where a walk stands: a server of the walk, and the SCAN
// cursor on it.
type walkCursor struct {
	node int
	scan uint64
}

// AllSessions yields every live session of the store (narvik.Enumerator),
// for migrations and operator tools. It walks each server (each master of a
// cluster, one after the other) with SCAN MATCH "<prefix>s:*" TYPE string
// COUNT 1000, keeps only keys in the grammar of this store's session keys,
// and reads each page of about 1,000 sessions in one pipeline (MGET on a
// standalone server, GETs routed by slot in a cluster): one round trip for
// the SCAN and one for the values per page. Like SCAN, it never blocks the
// server.
//
// SCAN may return a key twice (when the server resizes its key table
// during the walk), and in a cluster a key moved between masters during
// the walk could be seen on both. So the walk remembers the ID of every
// session it yielded, in binary: memory of about 50 to 85 bytes per
// session (under 90 MB for a million sessions) beside the one page of
// values it holds, and it yields each session once. A session moved during
// a resharding to a master already walked may be missed: do not reshard
// during a migration.
//
// A value under a session key that this package did not write ends the
// walk with an error wrapping ErrCorruptRecord and narvik.ErrBadRecord.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		var nodes []redis.UniversalClient
		seen := map[[32]byte]struct{}{}
		match := escapeGlob(s.sessPrefix) + "*"
		page := func(ctx context.Context, c walkCursor) ([]narvik.Record, walkCursor, bool, error) {
			if nodes == nil {
				var err error
				if nodes, err = servers(ctx, s.client, false); err != nil {
					return nil, c, false, err
				}
			}
			found, next, err := nodes[c.node].ScanType(ctx, c.scan, match, s.scanCount, "string").Result()
			if err != nil {
				return nil, c, false, err
			}
			if next == 0 {
				c = walkCursor{node: c.node + 1}
			} else {
				c.scan = next
			}
			done := c.node == len(nodes)
			records, err := s.readPage(ctx, found, seen)
			return records, c, done, err
		}
		storekit.Walk(ctx, "redisstore: walk sessions", page)(yield)
	}
}

// readPage reads the sessions of the keys one SCAN call returned, keeping
// the live ones not yet in seen, and adds those to seen.
func (s *Store) readPage(ctx context.Context, found []string, seen map[[32]byte]struct{}) ([]narvik.Record, error) {
	keys := found[:0]
	ids := make([]string, 0, len(found))
	for _, k := range found {
		if id, ok := s.sessionIDOf(k); ok {
			keys = append(keys, k)
			ids = append(ids, id)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	values, err := readValues(ctx, s.client, keys, s.single)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]narvik.Record, 0, len(keys))
	for i, v := range values {
		if v == nil {
			continue // deleted or expired since SCAN saw it
		}
		r, _, err := decodeRecord(ids[i], v)
		if err != nil {
			return nil, err
		}
		var bin [32]byte
		_, _ = hex.Decode(bin[:], []byte(ids[i])) // sessionIDOf checked it is 64 hex
		if _, dup := seen[bin]; dup || !storekit.Live(r.ExpiresAt, now) {
			continue
		}
		seen[bin] = struct{}{}
		out = append(out, r)
	}
	return out, nil
}
