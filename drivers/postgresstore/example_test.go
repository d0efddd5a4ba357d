package postgresstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/postgresstore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// Example signs a user in and validates the token on the PostgreSQL server
// that NARVIK_POSTGRES_URL names (scripts/postgres.sh starts one). It
// needs a server, so `go test` compiles it and TestExample runs it.
func Example() {
	ctx := context.Background()
	url := os.Getenv("NARVIK_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres"
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := postgresstore.New(pool, postgresstore.WithTable("example_sessions"))
	if err != nil {
		log.Fatal(err)
	}
	if err := store.EnsureSchema(ctx); err != nil { // or create the table with your migrations
		log.Fatal(err)
	}
	auth, err := narvik.New[struct{ Theme string }](store)
	if err != nil {
		log.Fatal(err)
	}
	res, err := auth.CreateSession(ctx, "alice", struct{ Theme string }{"dark"})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.InvalidateSession(ctx, res.Session.ID)
	// res.Token goes to the browser; the table holds only its SHA-256.
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		log.Fatal("not valid: ", err)
	}
	fmt.Println(s.UserID, s.Data.Theme)
}

func TestExample(t *testing.T) {
	testenv.Get(t, "NARVIK_POSTGRES_URL", "scripts/postgres.sh up")
	testkit.RunExample(t, Example, "alice dark\n")
}
