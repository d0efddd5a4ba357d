package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// Memory eviction. A server with maxmemory evicts keys by its
// maxmemory-policy when memory is full. The store keeps one invariant
// through it: a session that validates is always in its user's index, so
// FetchSessionsForUser lists it and DeleteSessionsForUser deletes it.
//
//   - Session keys have a TTL (their ExpiresAt), indexes never do. The
//     volatile-* policies (volatile-lru, volatile-lfu, volatile-random,
//     volatile-ttl) evict only keys with a TTL: sessions, never an index.
//     Evicting a session signs that session out, which is safe: it stops
//     validating at once, and its index entry, now naming a missing
//     session, is never listed and goes when its score passes.
//   - noeviction evicts nothing: writes that need memory (SaveSession,
//     extensions) fail with an OOM error while reads, deletes and
//     DeleteSessionsForUser keep working.
//   - The allkeys-* policies (allkeys-lru, allkeys-lfu, allkeys-random) may
//     evict an index, and a user's index is read far less often than the
//     sessions it lists (on sign-in and listing, not on every request), so
//     LRU and LFU evict it first: the user's sessions stay valid and
//     invisible to "sign out everywhere". CheckServer refuses them.

// CheckServer checks that every server behind the store's client (every
// master and replica of a cluster: a failover promotes a replica with its
// own configuration) runs a maxmemory-policy under which eviction cannot
// hide a live session from DeleteSessionsForUser: noeviction or a volatile-*
// policy. Call it at start-up, and refuse to start on an error, as the
// store cannot check this on every call.
//
// It reads the policy with CONFIG GET maxmemory-policy and, where CONFIG is
// refused (managed services often rename or forbid it), from INFO memory.
// An allkeys-* or unknown policy gives an error wrapping
// ErrUnsafeEvictionPolicy that names the server and the safe policies; a
// policy that cannot be read at all gives the servers' errors. With a
// Sentinel-managed client only the current primary is checked: give its
// replicas the same policy.
func (s *Store) CheckServer(ctx context.Context) error {
	nodes, err := servers(ctx, s.client, true)
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: check server", err)
	}
	for _, node := range nodes {
		policy, err := evictionPolicy(ctx, node)
		if err != nil {
			return storekit.Wrap(ctx, "redisstore: check server "+serverName(node), err)
		}
		if policy != "noeviction" && !strings.HasPrefix(policy, "volatile-") {
			return fmt.Errorf("%w %q on %s: Redis may then evict any key, a user's session index included, "+
				"and DeleteSessionsForUser (sign out everywhere) would miss sessions that still validate; "+
				"use noeviction (writes fail when memory is full) or a volatile-* policy "+
				"(volatile-lru, volatile-lfu, volatile-random, volatile-ttl), which evicts only keys with a TTL: "+
				"the store's sessions, whose eviction signs them out, never its indexes, which have none",
				ErrUnsafeEvictionPolicy, policy, serverName(node))
		}
	}
	return nil
}

// evictionPolicy reads a server's maxmemory-policy: CONFIG GET, or INFO
// memory where CONFIG is refused.
func evictionPolicy(ctx context.Context, c redis.UniversalClient) (string, error) {
	m, cfgErr := c.ConfigGet(ctx, "maxmemory-policy").Result()
	if p := m["maxmemory-policy"]; cfgErr == nil && p != "" {
		return p, nil
	}
	info, infoErr := c.Info(ctx, "memory").Result()
	if infoErr == nil {
		for _, line := range strings.Split(info, "\n") {
			if p, ok := strings.CutPrefix(strings.TrimSpace(line), "maxmemory_policy:"); ok {
				return p, nil
			}
		}
		infoErr = errors.New("no maxmemory_policy field")
	}
	if cfgErr == nil {
		cfgErr = errors.New("no maxmemory-policy parameter")
	}
	return "", fmt.Errorf("cannot read maxmemory-policy: CONFIG GET: %w; INFO memory: %w", cfgErr, infoErr)
}

// serverName returns the address of a server's client, for messages.
func serverName(c redis.UniversalClient) string {
	if rc, ok := c.(*redis.Client); ok {
		return rc.Options().Addr
	}
	return "the server"
}
