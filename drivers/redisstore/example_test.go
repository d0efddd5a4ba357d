package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/redis/go-redis/v9"
)

// ExampleNew signs a user in and validates the token on the Redis server
// named by NARVIK_REDIS_URL (default redis://localhost:6379/0). With a
// cluster, pass redis.NewClusterClient(...) instead: nothing else changes.
// It needs a server, so `go test` compiles it and TestExample runs it.
func ExampleNew() {
	url := os.Getenv("NARVIK_REDIS_URL")
	if url == "" {
		url = "redis://localhost:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		log.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()

	store, err := redisstore.New(client, redisstore.WithKeyPrefix("myapp:session:"))
	if err != nil {
		log.Fatal(err)
	}
	auth, err := narvik.New[struct{}](store)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	res, err := auth.CreateSession(ctx, "user-1", struct{}{})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.InvalidateSession(ctx, res.Session.ID)
	// res.Token goes to the browser (auth.CreateCookie); Redis sees only its hash.
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		log.Fatalf("validate: %v, %v", s, err)
	}
	fmt.Println(s.UserID)
}

func TestExample(t *testing.T) {
	testenv.Get(t, "NARVIK_REDIS_URL", "scripts/redis.sh up")
	testkit.RunExample(t, ExampleNew, "user-1\n")
}
