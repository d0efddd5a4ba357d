package mongostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
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
	uri := testenv.Get(t, "NARVIK_MONGO_URI", "make services-up")
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
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

// newStore returns a store on a fresh collection. Its logger discards the
// TTL warning, which has a test of its own.
func newStore(t testing.TB, client *mongo.Client) (*mongostore.Store, *mongo.Collection) {
	t.Helper()
	coll := newCollection(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mongostore.New(ctx, coll, mongostore.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatalf("mongostore.New: %v", err)
	}
	return s, coll
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

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
