package redisstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/testkit"
)

type failoverData struct{ N int }

// failoverCase is a primary and a replica with three sessions on both:
// two of alice's (the victims of a revocation) and one of bob's (which
// every failover must keep, or a test would pass on an empty replica).
type failoverCase struct {
	pair                       *replicaPair
	prefix                     string
	store                      *Store
	auth                       *narvik.Narvik[failoverData]
	victim, victim2, bystander *narvik.CreateSessionResult[failoverData]
}

func newFailoverCase(t *testing.T, perSlot bool, opts ...Option) *failoverCase {
	t.Helper()
	c := &failoverCase{pair: startPair(t), prefix: randomPrefix()}
	client := nodeClient(t, c.pair.primary.Addr())
	store := privateStore(t, client, c.prefix, opts...)
	store.single = !perSlot
	c.store = store
	var err error
	if c.auth, err = narvik.New[failoverData](store); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, s := range []struct {
		res  **narvik.CreateSessionResult[failoverData]
		user string
	}{{&c.victim, "alice"}, {&c.victim2, "alice"}, {&c.bystander, "bob"}} {
		if *s.res, err = c.auth.CreateSession(ctx, s.user, failoverData{1}); err != nil {
			t.Fatal(err)
		}
	}
	keys := []string{store.sessionKey(c.victim.Session.ID), store.sessionKey(c.victim2.Session.ID), store.sessionKey(c.bystander.Session.ID)}
	if !testkit.WaitFor(5*time.Second, func() bool { return c.pair.r.Exists(ctx, keys...).Val() == 3 }) {
		t.Fatal("the replica did not get the sessions within 5s")
	}
	// Have the replica acknowledge all of it too (a write and WAIT on one
	// connection): from here a WAIT returns at once unless it waits for a
	// later write.
	pipe := c.pair.p.Pipeline()
	pipe.Set(ctx, c.prefix+"synced", "", time.Minute)
	acked := pipe.Do(ctx, "wait", 1, 5000)
	if _, err := pipe.Exec(ctx); err != nil || acked.Val() != int64(1) {
		t.Fatalf("the replica did not acknowledge the sessions: %v, %v", acked.Val(), err)
	}
	return c
}

// revokeHeld runs revoke while the replication link holds back what the
// primary sends. Once the revocation waits for the replicas (the primary
// has a blocked client), the link is released if release says so; a
// revocation that does not wait returns with the link still held. It
// returns revoke's error.
func (c *failoverCase) revokeHeld(t *testing.T, revoke func(context.Context) error, release bool) error {
	t.Helper()
	c.pair.link.Hold()
	done := make(chan error, 1)
	go func() { done <- revoke(context.Background()) }()
	var err error
	returned := false
	waiting := func() bool {
		select {
		case err = <-done:
			returned = true
			return true
		default:
			return info(c.pair.p, "clients", "blocked_clients") == "1"
		}
	}
	if !testkit.WaitFor(10*time.Second, waiting) {
		t.Fatal("the revocation neither returned nor waited within 10s")
	}
	if returned {
		return err
	}
	if release {
		c.pair.link.Release()
	}
	select {
	case err = <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the revocation did not return within 10s of the link's release")
		return nil
	}
}

// promoted fails over (the primary killed, the replica promoted) and
// returns the store and core on the new primary.
func (c *failoverCase) promoted(t *testing.T) (*Store, *narvik.Narvik[failoverData]) {
	t.Helper()
	c.pair.failover(t)
	store := privateStore(t, nodeClient(t, c.pair.replica.Addr()), c.prefix)
	auth, err := narvik.New[failoverData](store)
	if err != nil {
		t.Fatal(err)
	}
	return store, auth
}

// validates reports whether the session of res validates on auth (a store
// error fails the test).
func validates(t *testing.T, auth *narvik.Narvik[failoverData], res *narvik.CreateSessionResult[failoverData]) bool {
	t.Helper()
	s, err := auth.ValidateSession(context.Background(), res.Token)
	if err != nil {
		t.Fatalf("ValidateSession after the failover: %v", err)
	}
	return s != nil
}

// revocation is one kind of write that ends a session sooner: revoke runs
// it, held reports whether the new primary shows its effect after a
// failover, and spares is the session it must leave valid.
type revocation struct {
	name   string
	revoke func(ctx context.Context, c *failoverCase) error
	held   func(t *testing.T, c *failoverCase, store *Store, auth *narvik.Narvik[failoverData]) bool
	spares func(c *failoverCase) *narvik.CreateSessionResult[failoverData]
}

var shortened = time.Now().Add(time.Hour).Truncate(time.Millisecond)

var revocations = []revocation{{
	name: "DeleteSession",
	revoke: func(ctx context.Context, c *failoverCase) error {
		return c.auth.InvalidateSession(ctx, c.victim.Session.ID)
	},
	held: func(t *testing.T, c *failoverCase, _ *Store, auth *narvik.Narvik[failoverData]) bool {
		return !validates(t, auth, c.victim)
	},
	spares: func(c *failoverCase) *narvik.CreateSessionResult[failoverData] { return c.victim2 },
}, {
	name:   "DeleteSessionsForUser",
	revoke: func(ctx context.Context, c *failoverCase) error { return c.auth.DeleteSessionsForUser(ctx, "alice") },
	held: func(t *testing.T, c *failoverCase, _ *Store, auth *narvik.Narvik[failoverData]) bool {
		return !validates(t, auth, c.victim) && !validates(t, auth, c.victim2)
	},
}, {
	name: "UpdateSessionExpiryToThePast",
	revoke: func(ctx context.Context, c *failoverCase) error {
		return c.store.UpdateSessionExpiry(ctx, c.victim.Session.ID, time.Now().Add(-time.Second))
	},
	held: func(t *testing.T, c *failoverCase, _ *Store, auth *narvik.Narvik[failoverData]) bool {
		return !validates(t, auth, c.victim)
	},
	spares: func(c *failoverCase) *narvik.CreateSessionResult[failoverData] { return c.victim2 },
}, {
	name: "UpdateSessionExpiryShorter",
	revoke: func(ctx context.Context, c *failoverCase) error {
		return c.store.UpdateSessionExpiry(ctx, c.victim.Session.ID, shortened)
	},
	held: func(t *testing.T, c *failoverCase, store *Store, _ *narvik.Narvik[failoverData]) bool {
		r, err := store.FetchSession(context.Background(), c.victim.Session.ID)
		if err != nil {
			t.Fatalf("FetchSession after the failover: %v", err)
		}
		return r.ExpiresAt.Equal(shortened)
	},
	spares: func(c *failoverCase) *narvik.CreateSessionResult[failoverData] { return c.victim },
}}

// checkSpared fails the test unless the sessions a revocation leaves alone
// validate after the failover.
func checkSpared(t *testing.T, c *failoverCase, rv revocation, auth *narvik.Narvik[failoverData]) {
	t.Helper()
	if !validates(t, auth, c.bystander) {
		t.Error("bob's session, written before the revocation, does not validate after the failover")
	}
	if rv.spares != nil && !validates(t, auth, rv.spares(c)) {
		t.Error("a session the revocation left alone does not validate after the failover")
	}
}

// TestReplicaAcksSurviveFailover holds the replication link while a
// revocation runs with WithReplicaAcks, releases it once the revocation
// waits for the replica, and kills the primary (SIGKILL) the moment the
// revocation returns; the replica, promoted, must show the revocation. Each
// kind of revocation, on both code paths, in every run. Without the option
// the revocation returns while the link still holds it back and this test
// fails (TestFailoverWithoutAcks shows that window).
func TestReplicaAcksSurviveFailover(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	for i := range 2 * len(revocations) {
		rv := revocations[i%len(revocations)]
		perSlot := i >= len(revocations)
		path := map[bool]string{false: "Script", true: "PerSlot"}[perSlot]
		t.Run(rv.name+"/"+path, func(t *testing.T) {
			c := newFailoverCase(t, perSlot, WithReplicaAcks(1, ackTimeout))
			if err := c.revokeHeld(t, func(ctx context.Context) error { return rv.revoke(ctx, c) }, true); err != nil {
				t.Fatalf("%s with the replica acknowledging = %v, want nil", rv.name, err)
			}
			store, auth := c.promoted(t)
			if !rv.held(t, c, store, auth) {
				t.Errorf("%s, acknowledged by the replica before the primary died, is lost after the failover", rv.name)
			}
			checkSpared(t, c, rv, auth)
		})
	}
}

// TestReplicaAcksTimeoutIsAnError holds the link and never releases it: each
// revocation with WithReplicaAcks fails with ErrReplicaAck after its
// timeout, never a silent success. The error is honest: the write was made
// on the primary only, and a failover then loses it.
func TestReplicaAcksTimeoutIsAnError(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	for _, rv := range revocations[:2] {
		t.Run(rv.name, func(t *testing.T) {
			const timeout = 100 * time.Millisecond
			c := newFailoverCase(t, false, WithReplicaAcks(1, timeout))
			start := time.Now()
			err := c.revokeHeld(t, func(ctx context.Context) error { return rv.revoke(ctx, c) }, false)
			if !errors.Is(err, ErrReplicaAck) {
				t.Fatalf("%s with the link held = %v, want an error wrapping ErrReplicaAck", rv.name, err)
			}
			if d := time.Since(start); d < timeout {
				t.Errorf("%s failed after %v, before its %v timeout", rv.name, d, timeout)
			}
			_, auth := c.promoted(t)
			if rv.held(t, c, nil, auth) {
				t.Errorf("%s was not acknowledged, yet the replica has it", rv.name)
			}
		})
	}
}

// TestFailoverWithoutAcks documents the risk WithReplicaAcks removes: with
// the replication link held (a replica a moment behind, as happens under
// load or across a network), a revocation returns as soon as the primary
// made it; the primary dies before its replica got it; the promoted replica
// does not have it, and the revoked session validates again. Deterministic:
// the link holds the write back until the primary is gone.
func TestFailoverWithoutAcks(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	for _, rv := range revocations {
		t.Run(rv.name, func(t *testing.T) {
			c := newFailoverCase(t, false)
			if err := c.revokeHeld(t, func(ctx context.Context) error { return rv.revoke(ctx, c) }, true); err != nil {
				t.Fatalf("%s = %v", rv.name, err)
			}
			store, auth := c.promoted(t)
			if rv.held(t, c, store, auth) {
				t.Errorf("%s survived a failover without WithReplicaAcks: the link did not hold it back", rv.name)
			}
			checkSpared(t, c, rv, auth)
		})
	}
}

// TestReplicaAcksNoReplica: with no replica at all, a revocation cannot be
// acknowledged and fails after the timeout; reads and saves do not wait.
func TestReplicaAcksNoReplica(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	srv := startRedis(t, "redis-server")
	store := privateStore(t, nodeClient(t, srv.Addr()), randomPrefix(), WithReplicaAcks(1, 20*time.Millisecond))
	ctx := context.Background()
	r := rec(newID(), "carol", time.Hour)
	if err := store.SaveSession(ctx, r); err != nil {
		t.Fatalf("SaveSession waits for nothing on this path, got %v", err)
	}
	if _, err := store.FetchSession(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"UpdateSessionExpiry", func() error { return store.UpdateSessionExpiry(ctx, r.ID, time.Now().Add(time.Minute)) }},
		{"DeleteSession", func() error { return store.DeleteSession(ctx, r.ID) }},
		{"DeleteSessionsForUser", func() error { return store.DeleteSessionsForUser(ctx, "carol") }},
	} {
		if err := c.call(); !errors.Is(err, ErrReplicaAck) {
			t.Errorf("%s with no replica = %v, want an error wrapping ErrReplicaAck", c.name, err)
		}
	}
}

// revokeSome creates 24 sessions of four users and revokes a third of them
// (InvalidateSession, then DeleteSessionsForUser of user-3 last: with
// WithReplicaAcks, its acknowledgement covers every write before it).
func revokeSome(t *testing.T, auth *narvik.Narvik[failoverData]) (kept, revoked []*narvik.CreateSessionResult[failoverData]) {
	t.Helper()
	ctx := context.Background()
	for i := range 24 {
		res, err := auth.CreateSession(ctx, fmt.Sprint("user-", i%4), failoverData{i})
		if err != nil {
			t.Fatal(err)
		}
		if i%4 == 3 || i%5 == 0 {
			revoked = append(revoked, res)
		} else {
			kept = append(kept, res)
		}
	}
	for _, res := range revoked {
		if res.Session.UserID != "user-3" {
			if err := auth.InvalidateSession(ctx, res.Session.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := auth.DeleteSessionsForUser(ctx, "user-3"); err != nil {
		t.Fatal(err)
	}
	return kept, revoked
}

// checkAcrossFailover fails the test unless every kept session validates
// and no revoked one does.
func checkAcrossFailover(t *testing.T, auth *narvik.Narvik[failoverData], kept, revoked []*narvik.CreateSessionResult[failoverData]) {
	t.Helper()
	ctx := context.Background()
	for _, res := range kept {
		if s, err := auth.ValidateSession(ctx, res.Token); s == nil || err != nil {
			t.Errorf("session %d created before the failover: ValidateSession = %v, %v; want it valid", res.Session.Data.N, s, err)
		}
	}
	for _, res := range revoked {
		if s, err := auth.ValidateSession(ctx, res.Token); s != nil || err != nil {
			t.Errorf("session %d revoked before the failover: ValidateSession = %v, %v; want (nil, nil)", res.Session.Data.N, s, err)
		}
	}
}

// TestSentinel runs the conformance suite with WithReplicaAcks through a
// Sentinel-managed primary and replica (redis.NewFailoverClient), then
// fails the primary over: sessions created before the failover validate
// after it on the same client, and no acknowledged revocation comes back.
func TestSentinel(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	setup := startSentinel(t)
	client := setup.client(t)
	t.Run("Conformance", func(t *testing.T) {
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			return privateStore(t, client, randomPrefix(), WithReplicaAcks(1, ackTimeout))
		}, conformance.ApproximateExpiredCount())
	})
	t.Run("Failover", func(t *testing.T) {
		ctx := context.Background()
		store := privateStore(t, client, randomPrefix(), WithReplicaAcks(1, ackTimeout))
		auth, err := narvik.New[failoverData](store)
		if err != nil {
			t.Fatal(err)
		}
		kept, revoked := revokeSome(t, auth)

		old := setup.masterPort()
		setup.primary.Kill()
		start := time.Now()
		if !testkit.WaitFor(20*time.Second, func() bool { return setup.masterPort() == fmt.Sprint(setup.replica.Port) }) {
			t.Fatalf("the Sentinel did not promote the replica within 20s (primary was %s); log:\n%s", old, setup.sentinel.Log())
		}
		// The client finds the new primary by itself; until it does, calls
		// fail (never a session that should not validate).
		var first *narvik.Session[failoverData]
		if !testkit.WaitFor(20*time.Second, func() bool {
			s, err := auth.ValidateSession(ctx, kept[0].Token)
			first = s
			return err == nil
		}) {
			t.Fatal("the failover client did not reach the new primary within 20s")
		}
		t.Logf("failover: %v from the kill until the client validated again", time.Since(start).Round(time.Millisecond))
		if first == nil {
			t.Error("a session created before the failover does not validate after it")
		}
		checkAcrossFailover(t, auth, kept, revoked)
		// The new primary has no replica: revocations now fail loudly.
		quick := privateStore(t, client, store.prefix, WithReplicaAcks(1, 50*time.Millisecond))
		if err := quick.DeleteSession(ctx, kept[0].Session.ID); !errors.Is(err, ErrReplicaAck) {
			t.Errorf("DeleteSession on a primary with no replica = %v, want ErrReplicaAck", err)
		}
	})
}

// TestReplicaAcksCluster runs WithReplicaAcks on a Redis Cluster of two
// primaries with one replica each: the conformance suite; the wait happens
// on the primary that took each write (a frozen replica of one primary
// fails the writes of that primary only); and a failover of one primary
// (SIGKILL, then CLUSTER FAILOVER TAKEOVER on its replica) keeps every
// session and every acknowledged revocation.
func TestReplicaAcksCluster(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	rc := startReplicatedCluster(t)
	client := rc.client(t)
	ctx := context.Background()
	t.Run("Conformance", func(t *testing.T) {
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			return privateStore(t, client, randomPrefix(), WithReplicaAcks(1, ackTimeout))
		}, conformance.ApproximateExpiredCount())
	})
	t.Run("WaitsOnThePrimaryThatTookTheWrite", func(t *testing.T) {
		const timeout = 200 * time.Millisecond
		store := privateStore(t, client, randomPrefix(), WithReplicaAcks(1, timeout))
		// A session on each primary, both of a user whose index is on
		// primary 0, and a user whose index is on primary 1.
		var onNode [2]narvik.Record
		var userOn [2]string
		for i := 0; onNode[0].ID == "" || onNode[1].ID == "" || userOn[0] == "" || userOn[1] == ""; i++ {
			id := newID()
			onNode[rc.primaryOf(t, store.sessionKey(id))].ID = id
			user := fmt.Sprint("user-", i)
			userOn[rc.primaryOf(t, store.indexKey(encodeUser(user)))] = user
		}
		for i := range onNode {
			onNode[i] = rec(onNode[i].ID, userOn[0], time.Hour)
			if err := store.SaveSession(ctx, onNode[i]); err != nil {
				t.Fatal(err)
			}
		}
		rc.replicas[1].Freeze()
		defer rc.replicas[1].Thaw()
		if err := store.DeleteSession(ctx, onNode[0].ID); err != nil {
			t.Errorf("DeleteSession on primary 0, whose replica is running = %v, want nil", err)
		}
		if err := store.DeleteSession(ctx, onNode[1].ID); !errors.Is(err, ErrReplicaAck) {
			t.Errorf("DeleteSession on primary 1, whose replica is frozen = %v, want ErrReplicaAck", err)
		}
		// The index entry must be safe before the session is written.
		if err := store.SaveSession(ctx, rec(newID(), userOn[1], time.Hour)); !errors.Is(err, ErrReplicaAck) {
			t.Errorf("SaveSession for a user indexed on primary 1 = %v, want ErrReplicaAck", err)
		}
		if err := store.SaveSession(ctx, rec(onNode[0].ID, userOn[0], time.Hour)); err != nil {
			t.Errorf("SaveSession on primary 0 only = %v, want nil", err)
		}
	})
	t.Run("Failover", func(t *testing.T) {
		store := privateStore(t, client, randomPrefix(), WithReplicaAcks(1, ackTimeout))
		auth, err := narvik.New[failoverData](store)
		if err != nil {
			t.Fatal(err)
		}
		kept, revoked := revokeSome(t, auth)
		var probe *narvik.CreateSessionResult[failoverData] // a kept session on primary 0
		for _, res := range kept {
			if rc.primaryOf(t, store.sessionKey(res.Session.ID)) == 0 {
				probe = res
			}
		}
		if probe == nil {
			t.Fatal("no kept session on primary 0; the test needs some")
		}

		rc.primaries[0].Kill()
		start := time.Now()
		if err := rc.admin[rc.replicas[0]].Do(ctx, "cluster", "failover", "takeover").Err(); err != nil {
			t.Fatal(err)
		}
		// Taken over once the other primary, which the client asks for the
		// slot map, names the replica as the owner of primary 0's slots.
		if !testkit.WaitFor(10*time.Second, func() bool {
			shards, err := rc.admin[rc.primaries[1]].ClusterShards(ctx).Result()
			for _, sh := range shards {
				for _, n := range sh.Nodes {
					if err == nil && n.Port == int64(rc.replicas[0].Port) && n.Role == "master" {
						return true
					}
				}
			}
			return false
		}) {
			t.Fatal("the replica of primary 0 did not take over within 10s")
		}
		// go-redis refreshes its slot map by itself once it is 10 s old;
		// the test asks for it now. Until then calls to the dead primary's
		// slots fail (never with a session that should not validate).
		client.ReloadState(ctx)
		if !testkit.WaitFor(20*time.Second, func() bool {
			_, err := auth.ValidateSession(ctx, probe.Token)
			return err == nil
		}) {
			t.Fatal("the cluster client did not reach the new primary within 20s")
		}
		t.Logf("failover: %v from the kill until the client validated again", time.Since(start).Round(time.Millisecond))
		checkAcrossFailover(t, auth, kept, revoked)
	})
}

// TestReplicaAcksConcurrentRevocation: a revocation that finds its work
// already done by a concurrent one (still waiting for the replica) must not
// return before that work is on the replica either, or its caller would be
// told "revoked" about a deletion a failover can still lose. The link is
// held; the first call waits; the second must wait too (the primary shows
// two blocked clients), and both succeed once the link is released. Redis
// 7.0 gives this by itself (its WAIT covers whatever the server wrote before
// the connection's last command); servers whose WAIT covers only the
// connection's own writes need the store's touch (acks.go) to pass.
func TestReplicaAcksConcurrentRevocation(t *testing.T) {
	t.Parallel() // private servers: nothing shared with other tests
	for _, perSlot := range []bool{false, true} {
		for _, rv := range revocations[:2] {
			path := map[bool]string{false: "Script", true: "PerSlot"}[perSlot]
			t.Run(rv.name+"/"+path, func(t *testing.T) {
				c := newFailoverCase(t, perSlot, WithReplicaAcks(1, ackTimeout))
				c.pair.link.Hold()
				done := make(chan error, 2)
				blocked := func(n string) func() bool {
					return func() bool { return info(c.pair.p, "clients", "blocked_clients") == n }
				}
				go func() { done <- rv.revoke(context.Background(), c) }()
				if !testkit.WaitFor(5*time.Second, blocked("1")) {
					t.Fatal("the first revocation does not wait for the replica")
				}
				go func() { done <- rv.revoke(context.Background(), c) }()
				var err error
				returned := false
				waits := testkit.WaitFor(2*time.Second, func() bool {
					select {
					case err = <-done:
						returned = true
						return true
					default:
						return blocked("2")()
					}
				})
				if returned {
					t.Fatalf("the second revocation returned (%v) while the first one's deletion was not on the replica", err)
				}
				if !waits {
					t.Fatal("the second revocation neither returned nor waited within 2s")
				}
				c.pair.link.Release()
				for range 2 {
					if err := <-done; err != nil {
						t.Errorf("%s = %v after the link's release", rv.name, err)
					}
				}
			})
		}
	}
}
