package dynamostore_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// TestOutageAndRecovery runs the outage scenario (testkit.RunOutage) on a
// private DynamoDB Local through two outages: the server killed (SIGKILL)
// and started again on the same port with the same data directory, then
// the server frozen (SIGSTOP: connections accepted, nothing answers) and
// resumed. Every call during an outage fails, those begun while the server
// was frozen at their context deadline; the same client and store recover
// without being rebuilt; and no goroutine is left behind.
func TestOutageAndRecovery(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	srv := startLocal(t)

	// A client as an application would build it, with a retryer that gives
	// up after two attempts so that a dead server is reported quickly, and an
	// HTTP transport whose idle connections the test can close.
	httpClient, tr := testHTTPClient()
	client := newClient(t, "http://"+srv.Addr(), func(o *dynamodb.Options) {
		o.HTTPClient = httpClient
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.MaxBackoff = 100 * time.Millisecond
			so.RateLimiter = ratelimit.None
		})
	})
	// With the sweep on, DeleteAllExpiredSessions reaches the server too
	// (without it, it returns 0 at once and leaves the work to the TTL), so
	// the scenario's check that every method fails during an outage covers
	// it; nothing else differs.
	store, err := dynamostore.New(client, uniqueTable(t), dynamostore.WithExpiredSweep(2))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := store.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	// 16 workers: the JVM serves them on threads of its own, and more calls
	// in flight make a store that mishandles a hung connection likelier to
	// show it.
	testkit.RunOutage(t, store, testkit.OutageOptions{Workers: 16}, testkit.Killed(srv), testkit.Frozen(srv))

	srv.Kill()
	tr.CloseIdleConnections()
	// Closed connections end their goroutines a moment later: wait for that
	// state (goleak's own retries last well under a second).
	testkit.WaitFor(30*time.Second, func() bool { return goleak.Find(ignore) == nil })
	goleak.VerifyNone(t, ignore)
}
