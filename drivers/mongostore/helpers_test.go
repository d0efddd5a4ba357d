package mongostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
)

// testDB is the database the tests use on the shared server; every test gets
// a collection of its own in it, so packages and tests can run in parallel.
const testDB = "narvik_mongostore_test"

// connect returns a client for NARVIK_MONGO_URI, disconnected when the test
// ends. Each test gets its own client so that no goroutine outlives it.
func connect(t testing.TB) *mongo.Client {
	t.Helper()
	return connectWith(t, options.Client())
}

// connectWith is connect with client options of the test's own (a command
// monitor, say); the URI is applied on top.
func connectWith(t testing.TB, opts *options.ClientOptions) *mongo.Client {
	t.Helper()
	uri := testenv.Get(t, "NARVIK_MONGO_URI", "make services-up")
	client, err := mongo.Connect(opts.ApplyURI(uri))
	if err != nil {
		t.Fatalf("mongo.Connect(%q): %v", uri, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Disconnect(ctx); err != nil {
			t.Errorf("Disconnect: %v", err)
		}
	})
	return client
}

// newCollection returns a fresh, empty collection on client, dropped when the
// test ends.
func newCollection(t testing.TB, client *mongo.Client) *mongo.Collection {
	t.Helper()
	coll := client.Database(testDB).Collection("sessions_" + randomHex(t, 8))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := coll.Drop(ctx); err != nil {
			t.Errorf("drop %s: %v", coll.Name(), err)
		}
	})
	return coll
}

// newStore returns a store on a fresh collection, its schema ensured. Its
// logger discards the TTL warning, which has a test of its own.
func newStore(t testing.TB, client *mongo.Client, opts ...mongostore.Option) (*mongostore.Store, *mongo.Collection) {
	t.Helper()
	coll := newCollection(t, client)
	s, err := mongostore.New(coll, append([]mongostore.Option{mongostore.WithLogger(nil)}, opts...)...)
	if err != nil {
		t.Fatalf("mongostore.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.EnsureSchema(ctx); err != nil {
		t.Fatalf("EnsureSchema: %v", err)
	}
	return s, coll
}

// commands records the commands a client sends, by name, for tests that
// check what reached the server (or that nothing did).
type commands struct {
	mu   sync.Mutex
	sent map[string][]bson.Raw
}

// monitor returns client options that record every command into c.
func (c *commands) monitor() *options.ClientOptions {
	return options.Client().SetMonitor(&event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.sent == nil {
			c.sent = map[string][]bson.Raw{}
		}
		c.sent[e.CommandName] = append(c.sent[e.CommandName], e.Command)
	}})
}

// take returns what was sent since the last take, and forgets it.
func (c *commands) take() map[string][]bson.Raw {
	c.mu.Lock()
	defer c.mu.Unlock()
	sent := c.sent
	c.sent = nil
	return sent
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// serverInfo is what buildInfo says about the server that answered.
type serverInfo struct {
	Version string
	// FerretDB is true when the server identified itself as FerretDB
	// (buildInfo carries a ferretdbVersion field), which refuses TTL indexes.
	FerretDB bool
}

// askServer runs buildInfo. Assertions that only a real mongod can meet are
// decided by this answer, never by a flag the tester sets.
func askServer(t testing.TB, client *mongo.Client) serverInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var raw bson.M
	if err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&raw); err != nil {
		t.Fatalf("buildInfo: %v", err)
	}
	info := serverInfo{}
	info.Version, _ = raw["version"].(string)
	_, info.FerretDB = raw["ferretdbVersion"]
	return info
}

// newOfflineCollection returns a collection of a client that has no server:
// enough for New, which does no I/O, without a test server.
func newOfflineCollection(t testing.TB) *mongo.Collection {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI("mongodb://127.0.0.1:1/").SetServerSelectionTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	return client.Database("offline").Collection("sessions")
}
