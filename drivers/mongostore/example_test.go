package mongostore_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/internal/testenv"
)

// Example connects to the server named by NARVIK_MONGO_URI, creates a session
// and validates its token. It needs a server, so it is compiled but not run
// by go test; TestExample runs the same code.
func Example() {
	if err := example(context.Background(), os.Stdout, os.Getenv("NARVIK_MONGO_URI"), "sessions"); err != nil {
		log.Fatal(err)
	}
}

func example(ctx context.Context, w io.Writer, uri, collection string) error {
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		return err
	}
	defer client.Disconnect(context.Background())

	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// New creates the indexes (a TTL index where the server allows one).
	store, err := mongostore.New(ctx, client.Database("app").Collection(collection))
	if err != nil {
		return err
	}
	type data struct{ IP string }
	auth, err := narvik.New[data](store)
	if err != nil {
		return err
	}

	created, err := auth.CreateSession(ctx, "user-42", data{IP: "203.0.113.7"})
	if err != nil {
		return err
	}
	// created.Token goes into the cookie; only its SHA-256 is stored.
	session, err := auth.ValidateSession(ctx, created.Token)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, session.UserID, session.Data.IP)
	return auth.InvalidateSession(ctx, session.ID)
}

// TestExample runs the code of Example against the test server, in a
// collection of its own that it drops afterwards, and checks what it prints.
func TestExample(t *testing.T) {
	client := connect(t)
	uri := testenv.Get(t, "NARVIK_MONGO_URI", "make services-up")
	name := "example_" + randomHex(t, 6)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = client.Database("app").Collection(name).Drop(ctx)
	})
	var out strings.Builder
	if err := example(context.Background(), &out, uri, name); err != nil {
		t.Fatalf("example: %v", err)
	}
	if got, want := out.String(), "user-42 203.0.113.7\n"; got != want {
		t.Errorf("example printed %q, want %q", got, want)
	}
}
