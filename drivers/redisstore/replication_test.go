package redisstore

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// Private primaries, replicas and Sentinels on loopback, for the tests of
// WithReplicaAcks and of failover. Each test starts its own and loses them
// when it ends.

// lookPath finds a server binary, or skips the test (fails it under CI).
func lookPath(t testing.TB, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		testenv.Missing(t, name+" is not on PATH; install it with `scripts/install-deps.sh` or run `make test`")
	}
	return bin
}

// startRedis starts a redis-server without persistence, with args added.
// A primary starts a replica's sync at once (no diskless-sync delay).
func startRedis(t testing.TB, name string, args ...string) *testkit.Server {
	t.Helper()
	bin := lookPath(t, "redis-server")
	return testkit.StartServer(t, testkit.ServerSpec{
		Name: name,
		Command: func(port int, dir string) *exec.Cmd {
			base := []string{"--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--dir", dir,
				"--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0"}
			return exec.Command(bin, append(base, args...)...)
		},
		Ready:   func(port int) bool { return ping(addrOf(port)) },
		Timeout: 10 * time.Second,
	})
}

// startReplicaOf starts a redis-server that replicates the server (or
// link) on port.
func startReplicaOf(t testing.TB, port int) *testkit.Server {
	t.Helper()
	return startRedis(t, "replica", "--replicaof", "127.0.0.1", strconv.Itoa(port))
}

func addrOf(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// ackTimeout is the WithReplicaAcks timeout of the tests that expect the
// replicas to acknowledge: generous, because a loaded CI machine can keep a
// replica off the CPU for a second. clientReadTimeout is above it.
const (
	ackTimeout        = 5 * time.Second
	clientReadTimeout = 2 * ackTimeout
)

// nodeClient is a plain client of one server, closed when the test ends.
func nodeClient(t testing.TB, addr string) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: clientReadTimeout, MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// info returns one field of INFO section from addr ("" when unreachable).
func info(c *redis.Client, section, field string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s, err := c.Info(ctx, section).Result()
	if err != nil {
		return ""
	}
	for line := range strings.Lines(s) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			return v
		}
	}
	return ""
}

// privateStore is a store under prefix on a private server's client. The
// server goes with the test, so nothing is cleaned up (a failover may have
// killed the primary anyway).
func privateStore(t testing.TB, client redis.UniversalClient, prefix string, opts ...Option) *Store {
	t.Helper()
	s, err := New(client, append([]Option{WithKeyPrefix(prefix)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// replicaPair is a primary and one replica that reaches it through a link
// the test controls.
type replicaPair struct {
	primary, replica *testkit.Server
	link             *linkProxy
	p, r             *redis.Client // admin clients of each
}

// startPair starts a primary and a replica of it through a linkProxy, and
// waits until the replica is in sync.
func startPair(t testing.TB) *replicaPair {
	t.Helper()
	p := startRedis(t, "primary")
	link := startLink(t, p.Addr())
	r := startReplicaOf(t, link.port)
	pair := &replicaPair{primary: p, replica: r, link: link, p: nodeClient(t, p.Addr()), r: nodeClient(t, r.Addr())}
	waitReplicas(t, pair.p, 1)
	return pair
}

// waitReplicas waits until the primary has n replicas online.
func waitReplicas(t testing.TB, primary *redis.Client, n int) {
	t.Helper()
	want := strconv.Itoa(n)
	online := func() bool {
		if info(primary, "replication", "connected_slaves") != want {
			return false
		}
		for i := range n {
			if !strings.Contains(info(primary, "replication", fmt.Sprintf("slave%d", i)), "state=online") {
				return false
			}
		}
		return true
	}
	if !testkit.WaitFor(10*time.Second, online) {
		t.Fatalf("the primary has no %d replicas online after 10s: %s", n, primary.Info(context.Background(), "replication").Val())
	}
}

// failover kills the primary (SIGKILL), drops whatever the link still held
// for the replica, and promotes the replica (REPLICAOF NO ONE).
func (p *replicaPair) failover(t testing.TB) {
	t.Helper()
	p.primary.Kill()
	p.link.Cut()
	if err := p.r.ReplicaOf(context.Background(), "NO", "ONE").Err(); err != nil {
		t.Fatalf("promote the replica: %v", err)
	}
}

// linkProxy forwards the replica's connections to the primary and can hold
// back what the primary sends: a replication link that lags exactly as long
// as the test says, with no timing involved. (Freezing the replica with
// SIGSTOP does not do: what the primary wrote before it died still sits in
// the replica's socket and is applied when the replica thaws.)
type linkProxy struct {
	ln     net.Listener
	port   int
	target string
	wg     sync.WaitGroup

	mu     sync.Mutex
	held   bool
	closed bool
	conns  map[*proxied]struct{}
}

// proxied is one forwarded connection.
type proxied struct {
	replica, primary net.Conn
	queued           []byte // sent by the primary while held
}

func startLink(t testing.TB, target string) *linkProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &linkProxy{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, target: target, conns: map[*proxied]struct{}{}}
	l.wg.Add(1)
	go l.accept()
	t.Cleanup(l.close)
	return l
}

func (l *linkProxy) accept() {
	defer l.wg.Done()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			return // closed
		}
		up, err := net.DialTimeout("tcp", l.target, time.Second)
		if err != nil {
			c.Close() // the primary is gone: so is the link
			continue
		}
		pc := &proxied{replica: c, primary: up}
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			c.Close()
			up.Close()
			continue
		}
		l.conns[pc] = struct{}{}
		l.mu.Unlock()
		l.wg.Add(2)
		go l.down(pc)
		go func() { // replica to primary: acknowledgements, never held
			defer l.wg.Done()
			_, _ = copyConn(pc.primary, pc.replica)
			l.drop(pc)
		}()
	}
}

// down forwards what the primary sends, or queues it while the link is held.
func (l *linkProxy) down(pc *proxied) {
	defer l.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := pc.primary.Read(buf)
		if n > 0 {
			l.mu.Lock()
			if l.held {
				pc.queued = append(pc.queued, buf[:n]...)
			} else {
				_, _ = pc.replica.Write(buf[:n])
			}
			l.mu.Unlock()
		}
		if err != nil {
			l.drop(pc)
			return
		}
	}
}

func copyConn(dst, src net.Conn) (int64, error) {
	buf := make([]byte, 32<<10)
	var total int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return total, werr
			}
			total += int64(n)
		}
		if err != nil {
			return total, err
		}
	}
}

// drop closes a connection and forgets what it held.
func (l *linkProxy) drop(pc *proxied) {
	l.mu.Lock()
	delete(l.conns, pc)
	pc.queued = nil
	l.mu.Unlock()
	pc.replica.Close()
	pc.primary.Close()
}

// Hold stops passing on what the primary sends; Release passes it on.
func (l *linkProxy) Hold() {
	l.mu.Lock()
	l.held = true
	l.mu.Unlock()
}

// Release sends what was held, in order, and stops holding.
func (l *linkProxy) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for pc := range l.conns {
		_, _ = pc.replica.Write(pc.queued)
		pc.queued = nil
	}
	l.held = false
}

// Cut closes every connection, so what was held never arrives.
func (l *linkProxy) Cut() {
	l.mu.Lock()
	conns := make([]*proxied, 0, len(l.conns))
	for pc := range l.conns {
		conns = append(conns, pc)
	}
	l.mu.Unlock()
	for _, pc := range conns {
		l.drop(pc)
	}
}

func (l *linkProxy) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.ln.Close()
	l.Cut()
	l.wg.Wait()
}

// sentinelSetup is a primary, a replica and one Sentinel monitoring them
// under the name "narvik", with small timeouts so a failover takes seconds.
type sentinelSetup struct {
	primary, replica, sentinel *testkit.Server
	sc                         *redis.SentinelClient
}

const sentinelMaster = "narvik"

func startSentinel(t testing.TB) *sentinelSetup {
	t.Helper()
	bin := lookPath(t, "redis-sentinel")
	p := startRedis(t, "primary")
	r := startReplicaOf(t, p.Port)
	waitReplicas(t, nodeClient(t, p.Addr()), 1)
	s := testkit.StartServer(t, testkit.ServerSpec{
		Name: "redis-sentinel",
		Command: func(port int, dir string) *exec.Cmd {
			// Sentinel rewrites its configuration file: it gets a copy of
			// its own in the test's folder.
			conf := filepath.Join(dir, "sentinel.conf")
			text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
				"sentinel monitor %s 127.0.0.1 %d 1\n"+
				"sentinel down-after-milliseconds %[3]s 300\n"+
				"sentinel failover-timeout %[3]s 3000\n", port, dir, sentinelMaster, p.Port)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				panic(err) // the folder is the test's own: cannot happen
			}
			return exec.Command(bin, conf)
		},
		Ready:   func(port int) bool { return ping(addrOf(port)) },
		Timeout: 10 * time.Second,
	})
	sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = sc.Close() })
	// A failover needs a replica the Sentinel knows and finds healthy.
	known := func() bool {
		reps, err := sc.Replicas(context.Background(), sentinelMaster).Result()
		if err != nil || len(reps) != 1 {
			return false
		}
		flags := reps[0]["flags"]
		return reps[0]["port"] == strconv.Itoa(r.Port) && flags == "slave"
	}
	if !testkit.WaitFor(10*time.Second, known) {
		t.Fatalf("the Sentinel does not see the replica after 10s; log:\n%s", s.Log())
	}
	return &sentinelSetup{primary: p, replica: r, sentinel: s, sc: sc}
}

// client is a Sentinel failover client of the setup, closed with the test.
func (s *sentinelSetup) client(t testing.TB) *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{
		MasterName: sentinelMaster, SentinelAddrs: []string{s.sentinel.Addr()},
		DialTimeout: time.Second, ReadTimeout: clientReadTimeout,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// masterPort is the primary's port as the Sentinel names it.
func (s *sentinelSetup) masterPort() string {
	addr, err := s.sc.GetMasterAddrByName(context.Background(), sentinelMaster).Result()
	if err != nil || len(addr) != 2 {
		return ""
	}
	return addr[1]
}

// replicatedCluster is a Redis Cluster of two primaries, each with one
// replica: primaries[i] owns half of the slots, replicas[i] replicates it.
type replicatedCluster struct {
	primaries, replicas []*testkit.Server
	admin               map[*testkit.Server]*redis.Client
}

func startReplicatedCluster(t testing.TB) *replicatedCluster {
	t.Helper()
	rc := &replicatedCluster{admin: map[*testkit.Server]*redis.Client{}}
	node := func(name string) *testkit.Server {
		// The cluster bus listens on the port + 10000; a port whose bus port
		// is taken or out of range makes the server exit, and StartServer
		// then tries another port.
		s := startRedis(t, name, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "2000")
		rc.admin[s] = nodeClient(t, s.Addr())
		return s
	}
	for i := range 2 {
		rc.primaries = append(rc.primaries, node(fmt.Sprintf("cluster-primary-%d", i)))
		rc.replicas = append(rc.replicas, node(fmt.Sprintf("cluster-replica-%d", i)))
	}
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rc.admin[rc.primaries[0]].Do(ctx, "cluster", "addslotsrange", 0, 8191).Err())
	must(rc.admin[rc.primaries[1]].Do(ctx, "cluster", "addslotsrange", 8192, 16383).Err())
	first := rc.admin[rc.primaries[0]]
	for _, s := range []*testkit.Server{rc.primaries[1], rc.replicas[0], rc.replicas[1]} {
		must(first.ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(s.Port)).Err())
	}
	for i, r := range rc.replicas {
		id := rc.admin[rc.primaries[i]].ClusterMyID(ctx).Val()
		// A replica can follow a primary only once it knows it.
		if !testkit.WaitFor(10*time.Second, func() bool { return rc.admin[r].ClusterReplicate(ctx, id).Err() == nil }) {
			t.Fatalf("CLUSTER REPLICATE %s: %v", id, rc.admin[r].ClusterReplicate(ctx, id).Err())
		}
	}
	for i, p := range rc.primaries {
		waitReplicas(t, rc.admin[p], 1)
		for _, s := range []*testkit.Server{p, rc.replicas[i]} {
			if !testkit.WaitFor(10*time.Second, func() bool { return info(rc.admin[s], "cluster", "cluster_enabled") == "1" && clusterOK(rc.admin[s]) }) {
				t.Fatalf("cluster node %s is not ok after 10s: %s", s.Addr(), rc.admin[s].ClusterInfo(ctx).Val())
			}
		}
	}
	return rc
}

func clusterOK(c *redis.Client) bool {
	s, err := c.ClusterInfo(context.Background()).Result()
	return err == nil && strings.Contains(s, "cluster_state:ok")
}

// client is a cluster client of rc, closed with the test.
func (rc *replicatedCluster) client(t testing.TB) *redis.ClusterClient {
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: []string{rc.primaries[0].Addr(), rc.primaries[1].Addr()}, DialTimeout: time.Second, ReadTimeout: clientReadTimeout,
		DialerRetries: 1, MaxRetries: -1, // a dead node fails at once
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// primaryOf returns the index of the primary that owns key.
func (rc *replicatedCluster) primaryOf(t testing.TB, key string) int {
	t.Helper()
	slot, err := rc.admin[rc.primaries[0]].ClusterKeySlot(context.Background(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if slot < 8192 {
		return 0
	}
	return 1
}
