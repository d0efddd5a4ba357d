package mysqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"testing"

	_ "github.com/go-sql-driver/mysql"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mysqlstore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// Example signs a user in and validates the token on the MySQL or MariaDB
// server that NARVIK_MYSQL_DSN names (scripts/mariadb.sh starts one). It
// needs a server, so `go test` compiles it and TestExample runs it.
func Example() {
	ctx := context.Background()
	dsn := os.Getenv("NARVIK_MYSQL_DSN")
	if dsn == "" {
		dsn = "root@tcp(127.0.0.1:3306)/narvik"
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	store, err := mysqlstore.New(db, mysqlstore.WithTable("example_sessions"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
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
	testenv.Get(t, "NARVIK_MYSQL_DSN", "scripts/mariadb.sh up")
	testkit.RunExample(t, Example, "alice dark\n")
}
