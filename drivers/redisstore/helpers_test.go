package redisstore

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
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

// newID returns a random session ID of the kind the core sends: 64
// lowercase hex characters.
func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
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

// scanKeys returns every key under prefix, on every master.
func scanKeys(ctx context.Context, client redis.UniversalClient, prefix string) ([]string, error) {
	nodes, err := servers(ctx, client, false)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, node := range nodes {
		iter := node.Scan(ctx, 0, escapeGlob(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// deletePrefix deletes every key that starts with prefix, on every master.
func deletePrefix(t testing.TB, client redis.UniversalClient, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys, err := scanKeys(ctx, client, prefix)
	for _, k := range keys {
		if err == nil {
			err = client.Del(ctx, k).Err()
		}
	}
	if err != nil {
		t.Errorf("cleaning keys of %q: %v", prefix, err)
	}
}

// keysOf returns every key under prefix, on every master.
func keysOf(t testing.TB, client redis.UniversalClient, prefix string) []string {
	t.Helper()
	keys, err := scanKeys(context.Background(), client, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// ping speaks RESP on a plain connection, so probing starts no goroutine. A
// server still loading its data answers -LOADING, not PONG.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
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

func both(t *testing.T, f func(t *testing.T, client redis.UniversalClient)) {
	t.Run("Standalone", func(t *testing.T) { f(t, standaloneClient(t)) })
	t.Run("Cluster", func(t *testing.T) { f(t, clusterClient(t)) })
}

func rec(id, user string, expiresIn time.Duration) narvik.Record {
	now := time.Now().Truncate(time.Millisecond)
	return narvik.Record{ID: id, UserID: user, CreatedAt: now, ExpiresAt: now.Add(expiresIn), Data: []byte("data of " + id)}
}
