package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// The maxmemory policies of Redis 7.0.
var (
	safePolicies   = []string{"noeviction", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}
	unsafePolicies = []string{"allkeys-lru", "allkeys-lfu", "allkeys-random"}
)

// startCluster starts a private Redis Cluster of n masters (no replicas),
// each a redis-server of the test's own, and returns a client of it and a
// client of each node.
func startCluster(t *testing.T, n int, args ...string) (*redis.ClusterClient, []*redis.Client) {
	t.Helper()
	ctx := context.Background()
	nodes := make([]*redis.Client, n)
	var addrs []string
	for i := range n {
		srv := startRedis(t, "cluster-node", append([]string{"--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
			"--cluster-config-file", "nodes.conf"}, args...)...)
		nodes[i] = redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { _ = nodes[i].Close() })
		addrs = append(addrs, srv.Addr())
		from, to := i*16384/n, (i+1)*16384/n-1
		if err := nodes[i].Do(ctx, "CLUSTER", "ADDSLOTSRANGE", from, to).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, srv := range addrs[1:] {
		host, port, _ := strings.Cut(srv, ":")
		if err := nodes[0].ClusterMeet(ctx, host, port).Err(); err != nil {
			t.Fatal(err)
		}
	}
	ok := testkit.WaitFor(30*time.Second, func() bool {
		for _, c := range nodes {
			info := c.ClusterInfo(ctx).Val()
			if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(n)+"\r") {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("the private cluster did not reach cluster_state:ok with %d nodes: %s", n, nodes[0].ClusterInfo(ctx).Val())
	}
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	t.Cleanup(func() { _ = client.Close() })
	return client, nodes
}

// infoField reads one field of INFO section from a server.
func infoField(t *testing.T, c *redis.Client, section, field string) string {
	t.Helper()
	info, err := c.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO %s has no %s", section, field)
	return ""
}

// limitMemory empties each node and gives it the policy and a maxmemory
// headroom bytes above what it uses empty.
func limitMemory(t *testing.T, nodes []*redis.Client, policy string, headroom int64) {
	t.Helper()
	ctx := context.Background()
	for _, c := range nodes {
		if err := c.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfigSet(ctx, "maxmemory-policy", policy).Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfigResetStat(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		used, _ := strconv.ParseInt(infoField(t, c, "memory", "used_memory"), 10, 64)
		if err := c.ConfigSet(ctx, "maxmemory", strconv.FormatInt(used+headroom, 10)).Err(); err != nil {
			t.Fatal(err)
		}
	}
}

// evicted returns how many keys the nodes have evicted.
func evicted(t *testing.T, nodes []*redis.Client) int {
	total := 0
	for _, c := range nodes {
		n, _ := strconv.Atoi(infoField(t, c, "stats", "evicted_keys"))
		total += n
	}
	return total
}

// TestEvictionKeepsSignOutComplete fills a private server (and a private
// 3-master cluster) past its maxmemory under every policy the store
// supports, while alice's sessions are validated all along, as a browser
// does, and her index is left alone, as it is between her sign-ins. Then,
// for every user: every session that still validates is listed, and after
// DeleteSessionsForUser none validates. Under noeviction the fill ends
// when writes are refused (OOM), and sign-out must still work.
func TestEvictionKeepsSignOutComplete(t *testing.T) {
	targets := []struct {
		name  string
		start func(t *testing.T) (redis.UniversalClient, []*redis.Client)
		slots bool // force the per-slot path
	}{
		{"Standalone", func(t *testing.T) (redis.UniversalClient, []*redis.Client) {
			c := redis.NewClient(&redis.Options{Addr: startRedis(t, "redis-server").Addr()})
			t.Cleanup(func() { _ = c.Close() })
			return c, []*redis.Client{c}
		}, false},
		{"PerSlotOnStandalone", func(t *testing.T) (redis.UniversalClient, []*redis.Client) {
			c := redis.NewClient(&redis.Options{Addr: startRedis(t, "redis-server").Addr()})
			t.Cleanup(func() { _ = c.Close() })
			return c, []*redis.Client{c}
		}, true},
		{"Cluster", func(t *testing.T) (redis.UniversalClient, []*redis.Client) {
			return startCluster(t, 3)
		}, false},
	}
	for _, target := range targets {
		t.Run(target.name, func(t *testing.T) {
			t.Parallel() // each target has servers of its own
			client, nodes := target.start(t)
			for _, policy := range safePolicies {
				t.Run(policy, func(t *testing.T) {
					limitMemory(t, nodes, policy, 512<<10)
					s, err := New(client)
					if err != nil {
						t.Fatal(err)
					}
					if target.slots {
						s.single = false
					}
					if err := s.CheckServer(context.Background()); err != nil {
						t.Fatalf("CheckServer under %s = %v, want nil", policy, err)
					}
					fillAndSignOut(t, s, nodes, policy == "noeviction")
				})
			}
			t.Run("CheckServerRefusesAllKeys", func(t *testing.T) {
				s, err := New(client)
				if err != nil {
					t.Fatal(err)
				}
				for _, policy := range unsafePolicies {
					// One server with the policy is enough to refuse.
					last := nodes[len(nodes)-1]
					if err := last.ConfigSet(context.Background(), "maxmemory-policy", policy).Err(); err != nil {
						t.Fatal(err)
					}
					err := s.CheckServer(context.Background())
					if !errors.Is(err, ErrUnsafeEvictionPolicy) {
						t.Fatalf("CheckServer under %s = %v, want ErrUnsafeEvictionPolicy", policy, err)
					}
					for _, says := range []string{policy, last.Options().Addr, "noeviction", "volatile-lru", "volatile-ttl", "sign out everywhere"} {
						if !strings.Contains(err.Error(), says) {
							t.Errorf("CheckServer's error does not say %q: %v", says, err)
						}
					}
				}
			})
		})
	}
}

// fillAndSignOut is the body of TestEvictionKeepsSignOutComplete.
func fillAndSignOut(t *testing.T, s *Store, nodes []*redis.Client, refuses bool) {
	ctx := context.Background()
	const users, wantEvicted = 100, 1500
	sessions := map[string][]string{} // user -> session IDs
	save := func(user string) error {
		r := rec(newID(), user, time.Hour)
		r.Data = make([]byte, 200)
		err := s.SaveSession(ctx, r)
		if err == nil {
			sessions[user] = append(sessions[user], r.ID)
		}
		return err
	}
	for range 3 {
		if err := save("alice"); err != nil {
			t.Fatal(err)
		}
	}
	oom := false
	for i := 0; ; i++ {
		if err := save(fmt.Sprintf("user-%d", i%users)); err != nil {
			if refuses && strings.Contains(err.Error(), "OOM") {
				oom = true
				break
			}
			t.Fatalf("save %d: %v", i, err)
		}
		if i%20 == 0 { // alice's browser
			for _, id := range sessions["alice"] {
				_, _ = s.FetchSession(ctx, id)
			}
		}
		if i%500 == 0 && !refuses && evicted(t, nodes) >= wantEvicted {
			break
		}
		if i > 200_000 {
			t.Fatalf("%d saves, %d keys evicted, no OOM: the server's memory never filled", i, evicted(t, nodes))
		}
	}
	if refuses && !oom {
		t.Fatal("noeviction never refused a write")
	}
	n := evicted(t, nodes)
	if refuses && n != 0 {
		t.Fatalf("noeviction evicted %d keys", n)
	}

	validates := func(id string) bool {
		_, err := s.FetchSession(ctx, id)
		if err != nil && !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatalf("FetchSession: %v", err)
		}
		return err == nil
	}
	var live, hidden int
	for user, ids := range sessions {
		list, err := s.FetchSessionsForUser(ctx, user)
		if err != nil {
			t.Fatalf("FetchSessionsForUser(%s): %v", user, err)
		}
		listed := map[string]bool{}
		for _, r := range list {
			listed[r.ID] = true
		}
		for _, id := range ids {
			if validates(id) {
				live++
				if !listed[id] {
					hidden++
				}
			}
		}
	}
	if hidden > 0 {
		t.Errorf("%d of %d sessions that validate are missing from their user's list (their index was evicted)", hidden, live)
	}
	var survived int
	for user, ids := range sessions {
		if err := s.DeleteSessionsForUser(ctx, user); err != nil {
			t.Fatalf("DeleteSessionsForUser(%s): %v", user, err)
		}
		for _, id := range ids {
			if validates(id) {
				survived++
			}
		}
	}
	if survived > 0 {
		t.Errorf("%d sessions still validate after DeleteSessionsForUser of their user", survived)
	}
	t.Logf("%d sessions saved, %d keys evicted, %d sessions validated before the sign-out", countAll(sessions), n, live)
}

func countAll(m map[string][]string) int {
	n := 0
	for _, ids := range m {
		n += len(ids)
	}
	return n
}

// TestCheckServerWithoutConfig: where CONFIG is refused, as on managed
// services, CheckServer reads the policy from INFO; where INFO is refused
// too, it fails rather than pass unchecked.
func TestCheckServerWithoutConfig(t *testing.T) {
	ctx := context.Background()
	admin := redis.NewClient(&redis.Options{Addr: startRedis(t, "redis-server").Addr()})
	t.Cleanup(func() { _ = admin.Close() })
	for user, acl := range map[string][]any{
		"noconfig": {"on", ">pw", "~*", "&*", "+@all", "-config"},
		"neither":  {"on", ">pw", "~*", "&*", "+@all", "-config", "-info"},
	} {
		if err := admin.Do(ctx, append([]any{"ACL", "SETUSER", user}, acl...)...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	store := func(user string) *Store {
		c := redis.NewClient(&redis.Options{Addr: admin.Options().Addr, Username: user, Password: "pw"})
		t.Cleanup(func() { _ = c.Close() })
		if err := c.ConfigGet(ctx, "maxmemory-policy").Err(); err == nil {
			t.Fatalf("user %s may run CONFIG GET: the test proves nothing", user)
		}
		s, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noconfig, neither := store("noconfig"), store("neither")
	for _, policy := range append(safePolicies, unsafePolicies...) {
		if err := admin.ConfigSet(ctx, "maxmemory-policy", policy).Err(); err != nil {
			t.Fatal(err)
		}
		err := noconfig.CheckServer(ctx)
		if safe := !strings.HasPrefix(policy, "allkeys-"); safe && err != nil || !safe && !errors.Is(err, ErrUnsafeEvictionPolicy) {
			t.Errorf("CheckServer without CONFIG under %s = %v", policy, err)
		}
		if err := neither.CheckServer(ctx); err == nil || errors.Is(err, ErrUnsafeEvictionPolicy) || !strings.Contains(err.Error(), "INFO") {
			t.Errorf("CheckServer without CONFIG and INFO under %s = %v, want an error saying neither could be read", policy, err)
		}
	}
}
