package boltstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
)

// Open a session store in a file and use it through narvik. bbolt needs no
// server: this example really runs.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "narvik-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := boltstore.Open(filepath.Join(dir, "sessions.db"))
	if err != nil {
		log.Fatal(err) // errors.Is(err, boltstore.ErrLocked): another process has the file
	}
	defer store.Close()

	type data struct{ IP string }
	sessions, err := narvik.New[data](store)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	created, err := sessions.CreateSession(ctx, "user-42", data{IP: "203.0.113.7"})
	if err != nil {
		log.Fatal(err)
	}
	// created.Token goes into the cookie; the file only ever sees its hash.
	s, err := sessions.ValidateSession(ctx, created.Token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.UserID, s.Data.IP)

	if err := sessions.InvalidateSession(ctx, s.ID); err != nil {
		log.Fatal(err)
	}
	s, err = sessions.ValidateSession(ctx, created.Token)
	fmt.Println(s == nil, err)
	// Output:
	// user-42 203.0.113.7
	// true <nil>
}

// New over a database you opened yourself, for bbolt options that Open
// does not offer. New does no I/O; EnsureSchema creates the store's
// buckets (and only reads when they exist).
func ExampleNew() {
	dir, err := os.MkdirTemp("", "narvik-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := bolt.Open(filepath.Join(dir, "app.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close() // yours: the store's Close leaves it open

	store, err := boltstore.New(db, boltstore.WithBucket("sessions"))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := store.EnsureSchema(ctx); err != nil {
		log.Fatal(err)
	}
	sessions, err := narvik.New[struct{}](store)
	if err != nil {
		log.Fatal(err)
	}
	created, err := sessions.CreateSession(ctx, "user-42", struct{}{})
	if err != nil {
		log.Fatal(err)
	}
	for r, err := range store.AllSessions(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.UserID, r.ID == created.Session.ID)
	}
	// Output:
	// user-42 true
}
