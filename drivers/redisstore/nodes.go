package redisstore

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// servers returns a client for each server that holds the store's keys, for
// the operations that must visit every server (the sweep, the walk, the
// configuration check): each master of a cluster (and each replica too with
// replicas, for what a failover would promote), each shard of a ring, or
// else the client itself. Cluster and ring clients own the clients they
// return; nothing needs closing.
func servers(ctx context.Context, client redis.UniversalClient, replicas bool) ([]redis.UniversalClient, error) {
	var (
		mu  sync.Mutex
		out []redis.UniversalClient
	)
	collect := func(_ context.Context, node *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, node)
		return nil
	}
	var err error
	switch c := client.(type) {
	case *redis.ClusterClient:
		if replicas {
			err = c.ForEachShard(ctx, collect)
		} else {
			err = c.ForEachMaster(ctx, collect)
		}
	case *redis.Ring:
		err = c.ForEachShard(ctx, collect)
	default:
		out = []redis.UniversalClient{client}
	}
	return out, err
}
