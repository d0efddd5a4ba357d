package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/narvik-go/narvik/storekit"
	"github.com/redis/go-redis/v9"
)

// WithReplicaAcks makes every write that can end a session sooner wait until
// n replicas have it, so that a failover cannot bring a revoked session
// back. Without it, replication is asynchronous: a DEL that the primary
// acknowledged and that no replica received before the primary died is
// lost when a replica is promoted, and the session validates again.
//
// What waits: DeleteSession, DeleteSessionsForUser and UpdateSessionExpiry
// (the core extends a session with it when half of its length is left, so
// those validations wait too). Each returns only after n replicas acknowledged
// every write the primary made before it (Redis WAIT), and returns an error
// wrapping ErrReplicaAck when they did not within timeout. That error is
// never a silent success, but the write has usually been made on the
// primary: a retry is safe. With fewer than n replicas connected, every one
// of these calls fails after timeout, and so does a validation that extends.
// On a Redis Cluster, SaveSession and extensions also wait for the user's
// index entry before they write the session, because a live session whose
// index entry a failover lost would escape DeleteSessionsForUser.
//
// The guarantee holds against the loss of the primary, for a promoted
// replica that acknowledged. Sentinel and the Cluster prefer the replica
// with the most data, but with n below the number of replicas a failover
// may still promote one that did not; n equal to the number of replicas
// rules that out, at the price of failing revocations while any replica is
// down. It is not durability on disk: WAIT does not fsync.
//
// Cost: on a standalone or Sentinel-managed server the write, a no-op write
// and WAIT go in one pipeline on one connection (still one round trip), and
// the call takes as long as the slowest of the n replicas needs to confirm:
// across a network, add a round trip from the primary to that replica. On a
// Cluster the wait is one more round trip to each primary written. Measured
// on loopback with one replica, on a shared 2-core machine
// (BenchmarkReplicaAcksRatio, which interleaves the two; medians of 8 runs):
// InvalidateSession took 2.2 times as long serially and 1.6 times in
// parallel as without the option (in the quietest run, 136 µs against
// 91 µs). The first revocation on a primary that lost its script cache (a
// restart, a failover) waits twice.
//
// n must be at least 1 and timeout at least a millisecond (WAIT counts
// milliseconds; rounded up) and below the client's ReadTimeout, which
// bounds the wait for the reply. It needs a *redis.Client (standalone or
// redis.NewFailoverClient) or a *redis.ClusterClient: WAIT must reach the
// primary that took the write. Other values make New fail with an error
// wrapping narvik.ErrInvalidOption.
func WithReplicaAcks(n int, timeout time.Duration) Option {
	return func(c *config) { c.acks = &replicaAcks{n: n, timeout: timeout} }
}

// replicaAcks is the WithReplicaAcks setting; a nil one means no waiting.
type replicaAcks struct {
	n       int
	timeout time.Duration
}

// check validates the setting for client; nil is valid (off).
func (a *replicaAcks) check(client redis.UniversalClient) error {
	if a == nil {
		return nil
	}
	if a.n < 1 {
		return storekit.InvalidOption("redisstore", "WithReplicaAcks: %d replicas; want at least 1 (leave the option out to wait for none)", a.n)
	}
	if a.timeout < time.Millisecond {
		return storekit.InvalidOption("redisstore", "WithReplicaAcks: timeout %v; want at least 1ms (WAIT counts milliseconds, and WAIT 0 never returns)", a.timeout)
	}
	var read time.Duration
	switch c := client.(type) {
	case *redis.Client:
		read = c.Options().ReadTimeout
	case *redis.ClusterClient:
		read = c.Options().ReadTimeout
	default:
		return storekit.InvalidOption("redisstore", "WithReplicaAcks needs a *redis.Client or *redis.ClusterClient, not %T: WAIT must reach the primary that took the write", client)
	}
	if read > 0 && a.timeout >= read {
		return storekit.InvalidOption("redisstore", "WithReplicaAcks: timeout %v is not below the client's ReadTimeout %v, which would give up on the WAIT reply first", a.timeout, read)
	}
	return nil
}

// ackTouch makes the primary propagate a write that changes nothing anyone
// can see, on the key's slot. WAIT counts the replicas that have the
// connection's last propagated write (in current Redis; 7.0 and older count
// from the connection's last command of any kind), and a replication stream
// is applied in order, so "touch, then WAIT" on one connection covers every
// write the primary made before the touch: this call's write, and also a
// concurrent call's DEL of the same session that left this call nothing to
// delete (without the touch this call would return at once, before that DEL
// is safe). A script, so that the key is re-set in one atomic step: a
// missing key is created and deleted, an existing one gets its own expiry
// again. It is sent with its source (EVAL, some 300 bytes), never as
// EVALSHA: on a primary that lost its script cache (a restart, a failover)
// a NOSCRIPT would cost another round trip and another WAIT. KEYS key.
var ackTouch = redis.NewScript(`
local t = redis.call('PEXPIRETIME', KEYS[1])
if t == -2 then
  redis.call('SET', KEYS[1], '')
  redis.call('DEL', KEYS[1])
elseif t == -1 then
  redis.call('PEXPIREAT', KEYS[1], 253402300799999)
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIREAT', KEYS[1], t)
end
return 1
`)

// sync sends write (nil for none), the touch of key and WAIT on one
// connection of node, in one pipeline, and returns write's reply, with an
// error wrapping ErrReplicaAck when fewer than n replicas acknowledged. A
// write that failed is returned as is (NOSCRIPT included, for the caller's
// fallback); the acknowledgement is then not looked at.
func (a *replicaAcks) sync(ctx context.Context, node redis.Cmdable, key string, write func(redis.Pipeliner) *redis.Cmd) (*redis.Cmd, error) {
	pipe := node.Pipeline()
	var cmd *redis.Cmd
	if write != nil {
		cmd = write(pipe)
	}
	touch := ackTouch.Eval(ctx, pipe, []string{key})
	acked := pipe.Do(ctx, "wait", a.n, a.rounded().Milliseconds())
	_, _ = pipe.Exec(ctx) // errors are read per command
	if cmd != nil && cmd.Err() != nil && !errors.Is(cmd.Err(), redis.Nil) {
		return cmd, nil
	}
	if err := touch.Err(); err != nil {
		return cmd, fmt.Errorf("%w: %w", ErrReplicaAck, err)
	}
	got, err := acked.Int64()
	if err != nil {
		return cmd, fmt.Errorf("%w: %w", ErrReplicaAck, err)
	}
	if got < int64(a.n) {
		return cmd, fmt.Errorf("%w: %d of %d replicas within %v", ErrReplicaAck, got, a.n, a.rounded())
	}
	return cmd, nil
}

// rounded is the timeout rounded up to whole milliseconds, as WAIT takes it.
func (a *replicaAcks) rounded() time.Duration {
	return (a.timeout + time.Millisecond - 1).Truncate(time.Millisecond)
}

// revoker is what the standalone path runs its revoking scripts on: the
// client itself, or with WithReplicaAcks one that pipelines each script
// call with the touch and WAIT on the same connection.
func (s *Store) revoker() redis.Scripter {
	if s.acks == nil {
		return s.client
	}
	return ackScripter{node: s.client, acks: s.acks}
}

// ackScripter is a redis.Scripter whose Eval and EvalSha wait for the
// replicas (replicaAcks.sync), keyed on the script's first key. An
// acknowledgement that fails comes back as the command's error, so that
// redis.Script.Run and the call sites need no other path.
type ackScripter struct {
	node redis.UniversalClient
	acks *replicaAcks
}

func (w ackScripter) run(ctx context.Context, keys []string, write func(redis.Pipeliner) *redis.Cmd) *redis.Cmd {
	cmd, err := w.acks.sync(ctx, w.node, keys[0], write)
	if err != nil {
		failed := redis.NewCmd(ctx)
		failed.SetErr(err)
		return failed
	}
	return cmd
}

func (w ackScripter) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return w.run(ctx, keys, func(p redis.Pipeliner) *redis.Cmd { return p.Eval(ctx, script, keys, args...) })
}

func (w ackScripter) EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return w.run(ctx, keys, func(p redis.Pipeliner) *redis.Cmd { return p.EvalSha(ctx, sha1, keys, args...) })
}

func (w ackScripter) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return w.node.EvalRO(ctx, script, keys, args...)
}

func (w ackScripter) EvalShaRO(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd {
	return w.node.EvalShaRO(ctx, sha1, keys, args...)
}

func (w ackScripter) ScriptExists(ctx context.Context, hashes ...string) *redis.BoolSliceCmd {
	return w.node.ScriptExists(ctx, hashes...)
}

func (w ackScripter) ScriptLoad(ctx context.Context, script string) *redis.StringCmd {
	return w.node.ScriptLoad(ctx, script)
}

// settle is the wait of the per-slot (Cluster) path: for each primary that
// owns one of keys, a touch of one of its keys and WAIT, on a connection of
// that primary, the primaries in parallel. The cluster client routes a
// keyless WAIT to any primary (or refuses it in a pipeline), and each node
// of its pipelines gets a connection of its own, so the touch and WAIT go
// through the node's own client. settle runs after a step's writes and
// before the next step relies on them, so that a failover loses no step a
// later one depends on: a session's deletion reaches the replicas before
// its index entry goes, an index entry before its session is written or
// extended. It does nothing without WithReplicaAcks.
func (s *Store) settle(ctx context.Context, op string, keys ...string) error {
	if s.acks == nil || len(keys) == 0 {
		return nil
	}
	cc, ok := s.client.(*redis.ClusterClient)
	if !ok { // a single primary: the per-slot path on a *redis.Client
		if _, err := s.acks.sync(ctx, s.client, keys[0], nil); err != nil {
			return storekit.Wrap(ctx, driver+": "+op, err)
		}
		return nil
	}
	byNode := make(map[*redis.Client]string)
	for _, k := range keys {
		node, err := cc.MasterForKey(ctx, k)
		if err != nil {
			return storekit.Wrap(ctx, driver+": "+op, fmt.Errorf("%w: %w", ErrReplicaAck, err))
		}
		if _, ok := byNode[node]; !ok {
			byNode[node] = k
		}
	}
	settleNode := func(node *redis.Client, key string) error {
		_, err := s.acks.sync(ctx, node, key, nil)
		var rerr redis.Error
		if errors.As(err, &rerr) && strings.HasPrefix(rerr.Error(), "MOVED ") {
			// The client's view of the slots is stale (a failover or a
			// resharding): have it reloaded for the next call.
			cc.ReloadState(ctx)
		}
		return err
	}
	errs := make(chan error, len(byNode))
	for node, key := range byNode {
		go func() { errs <- settleNode(node, key) }()
	}
	var all []error
	for range byNode {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	if len(all) > 0 {
		return storekit.Wrap(ctx, driver+": "+op, errors.Join(all...))
	}
	return nil
}

// settleSessions is settle on the session keys of ids.
func (s *Store) settleSessions(ctx context.Context, op string, ids []string) error {
	if s.acks == nil {
		return nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.sessionKey(id)
	}
	return s.settle(ctx, op, keys...)
}
