package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/sqlitestore"
)

// Example keeps sessions in an SQLite file, creating it and its table.
func Example() {
	dir, err := os.MkdirTemp("", "narvik-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := sqlitestore.Open(filepath.Join(dir, "sessions.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	auth, err := narvik.New[struct{ Theme string }](store)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := auth.CreateSession(ctx, "alice", struct{ Theme string }{"dark"})
	if err != nil {
		log.Fatal(err)
	}
	// res.Token goes to the browser; the file holds only its SHA-256.
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		log.Fatal("not valid: ", err)
	}
	fmt.Println(s.UserID, s.Data.Theme)
	// Output: alice dark
}
