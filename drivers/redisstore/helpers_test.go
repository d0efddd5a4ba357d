package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// standaloneClient connects to NARVIK_REDIS_URL (skips, or fails under CI,
// when it is unset) and closes the client when the test ends.
func standaloneClient(t testing.TB) *redis.Client {
	t.Helper()
	url := testenv.Get(t, "NARVIK_REDIS_URL", "scripts/redis.sh up")
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("NARVIK_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// clusterClient connects to the cluster at NARVIK_REDIS_CLUSTER_ADDRS.
func clusterClient(t testing.TB) *redis.ClusterClient {
	t.Helper()
	addrs := testenv.Get(t, "NARVIK_REDIS_CLUSTER_ADDRS", "scripts/redis.sh up")
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// randomPrefix returns a key prefix no other test uses.
func randomPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "narvik-test:" + hex.EncodeToString(b[:]) + ":"
}

// newTestStore returns a store on client under a fresh random prefix whose
// keys are deleted when the test ends.
func newTestStore(t testing.TB, client redis.UniversalClient, opts ...Option) *Store {
	t.Helper()
	prefix := randomPrefix()
	s, err := New(client, append([]Option{WithKeyPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deletePrefix(t, client, prefix) })
	return s
}

// deletePrefix deletes every key that starts with prefix, on every master.
func deletePrefix(t testing.TB, client redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	del := func(ctx context.Context, node redis.UniversalClient) error {
		iter := node.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := node.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	if c, ok := client.(*redis.ClusterClient); ok {
		err = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return del(ctx, n) })
	} else {
		err = del(ctx, client)
	}
	if err != nil {
		t.Errorf("cleaning keys of %q: %v", prefix, err)
	}
}

// keysOf returns every key under prefix, on every master.
func keysOf(t testing.TB, client redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var keys []string
	collect := func(ctx context.Context, node redis.UniversalClient) ([]string, error) {
		var out []string
		iter := node.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			out = append(out, iter.Val())
		}
		return out, iter.Err()
	}
	if c, ok := client.(*redis.ClusterClient); ok {
		ch := make(chan []string, 16)
		err := c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			k, err := collect(ctx, n)
			ch <- k
			return err
		})
		close(ch)
		if err != nil {
			t.Fatal(err)
		}
		for k := range ch {
			keys = append(keys, k...)
		}
		return keys
	}
	keys, err := collect(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// counter is a go-redis hook that counts round trips: each command sent
// alone and each pipeline sent as a whole counts one.
type counter struct {
	n    atomic.Int64
	cmds atomic.Int64
}

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		c.cmds.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		c.cmds.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// measure returns the round trips and commands that f made.
func (c *counter) measure(f func()) (trips, cmds int64) {
	n0, c0 := c.n.Load(), c.cmds.Load()
	f()
	return c.n.Load() - n0, c.cmds.Load() - c0
}
