package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/redis/go-redis/v9"
)

// ExampleNew signs a user in and validates the token on a Redis server at
// localhost:6379. It needs a server, so it is compiled but not run by `go
// test`; TestExample runs the same code against the test server. With a
// cluster, pass redis.NewClusterClient(...) instead: nothing else changes.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	userID, err := signInAndValidate(context.Background(), client)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(userID)
}

// signInAndValidate is the body of ExampleNew.
func signInAndValidate(ctx context.Context, client redis.UniversalClient) (string, error) {
	store, err := redisstore.New(client, redisstore.WithKeyPrefix("myapp:session:"))
	if err != nil {
		return "", err
	}
	auth, err := narvik.New[struct{}](store)
	if err != nil {
		return "", err
	}
	res, err := auth.CreateSession(ctx, "user-1", struct{}{})
	if err != nil {
		return "", err
	}
	defer auth.InvalidateSession(ctx, res.Session.ID)
	// res.Token goes to the browser (auth.CreateCookie); Redis sees only its hash.
	s, err := auth.ValidateSession(ctx, res.Token)
	if err != nil || s == nil {
		return "", fmt.Errorf("validate: %v, %w", s, err)
	}
	return s.UserID, nil
}

func TestExample(t *testing.T) {
	opts, err := redis.ParseURL(testenv.Get(t, "NARVIK_REDIS_URL", "scripts/redis.sh up"))
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	got, err := signInAndValidate(context.Background(), client)
	if err != nil || got != "user-1" {
		t.Fatalf("example = %q, %v; want user-1", got, err)
	}
}
