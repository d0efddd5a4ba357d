package mongostore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// Example connects to the server named by NARVIK_MONGO_URI (a local mongod
// by default), ensures the indexes, creates a session and validates its
// token. It needs a server, so go test compiles it without running it;
// TestExample runs it.
func Example() {
	uri := os.Getenv("NARVIK_MONGO_URI")
	if uri == "" {
		uri = "mongodb://127.0.0.1:27017/"
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := mongostore.New(client.Database("app").Collection("sessions"))
	if err != nil {
		log.Fatal(err)
	}
	// Once at start-up: the indexes (a TTL index where the server allows one).
	if err := store.EnsureSchema(ctx); err != nil {
		log.Fatal(err)
	}
	type data struct{ IP string }
	auth, err := narvik.New[data](store)
	if err != nil {
		log.Fatal(err)
	}

	created, err := auth.CreateSession(ctx, "user-42", data{IP: "203.0.113.7"})
	if err != nil {
		log.Fatal(err)
	}
	// created.Token goes into the cookie; only its SHA-256 is stored.
	session, err := auth.ValidateSession(ctx, created.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.UserID, session.Data.IP)
	if err := auth.InvalidateSession(ctx, session.ID); err != nil {
		log.Fatal(err)
	}
}

// TestExample runs Example against the test server and checks what it
// prints. The example signs its session out, so it leaves no session
// behind in app.sessions.
func TestExample(t *testing.T) {
	testenv.Get(t, "NARVIK_MONGO_URI", "make services-up")
	testkit.RunExample(t, Example, "user-42 203.0.113.7\n")
}
