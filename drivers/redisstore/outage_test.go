package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
)

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}

// TestOutageAndRecovery runs the outage scenario (testkit.RunOutage) on a
// private Redis, killed and started again on the same port, then frozen
// (SIGSTOP) and resumed: every call during an outage fails, none outlives
// its deadline by more than 300 ms, the same client serves the same
// session again after each, and after Close no goroutine is left.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	// go-redis logs every failed dial through a package-level logger; the
	// outage makes hundreds, and this test asserts on the errors instead.
	redis.SetLogger(discardLogger{})
	// Every write fsynced to the append-only file: a SIGKILL loses nothing,
	// and the restart brings the session back.
	srv := startRedis(t, "redis-server", "--appendonly", "yes", "--appendfsync", "always")
	client := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
	})
	store, err := New(client)
	if err != nil {
		t.Fatal(err)
	}
	// While the server is frozen, calls end at the client's ReadTimeout
	// (500 ms), before their deadline (1 s): an error all the same, and the
	// connections they leave with unread replies must not serve the calls
	// after the thaw.
	frozen := testkit.Frozen(srv)
	frozen.Hangs = false
	testkit.RunOutage(t, store, testkit.OutageOptions{Slack: 300 * time.Millisecond}, testkit.Killed(srv), frozen)
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	goleak.VerifyNone(t, ignore)
}
