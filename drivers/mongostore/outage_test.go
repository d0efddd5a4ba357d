package mongostore_test

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// startFerretDB starts a FerretDB test server of this test's own, on a
// port and data folder of its own, so the test can kill and restart it.
func startFerretDB(t *testing.T) *testkit.Server {
	t.Helper()
	bin := testenv.Get(t, "NARVIK_FERRETDB_BIN", "scripts/ferretdb.sh up")
	return testkit.StartServer(t, testkit.ServerSpec{
		Name: "ferretdb",
		Command: func(port int, dir string) *exec.Cmd {
			addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			return exec.Command(bin, "-listen", addr, "-dir", filepath.Join(dir, "data"))
		},
		// The test server listens only once FerretDB is ready to serve.
		Ready: testkit.Dial,
	})
}

// TestOutageAndRecovery runs the outage scenario (testkit.RunOutage) on a
// private server, killed (SIGKILL) and started again on the same port and
// data directory, then frozen (SIGSTOP) and resumed: every call during an
// outage fails (EnsureSchema and AllSessions included), those begun while
// it was frozen at their deadline; none panics or runs past its deadline;
// the same client serves the same session again after each; and after
// Disconnect no goroutine is left behind.
func TestOutageAndRecovery(t *testing.T) {
	// Registered first, so it runs last: after Disconnect and the server stop.
	// IgnoreCurrent is taken now, so that only goroutines this test started
	// and left running are reported.
	preexisting := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, preexisting) })

	srv := startFerretDB(t)
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://" + srv.Addr() + "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("Disconnect: %v", err)
		}
	}()
	store, err := mongostore.New(client.Database("narvik_outage").Collection("sessions"), mongostore.WithLogger(nil))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := store.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	testkit.RunOutage(t, store, testkit.OutageOptions{}, testkit.Killed(srv), testkit.Frozen(srv))
}
