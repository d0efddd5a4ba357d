package redisstore

import (
	"context"
	"strings"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// TestTokenNeverStored reads every key and value the store wrote, straight
// from Redis, and finds the session IDs (SHA-256 hex of the tokens) but never
// a token, in keys, values, index members or scores.
func TestTokenNeverStored(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		auth, err := narvik.New[map[string]string](s)
		if err != nil {
			t.Fatal(err)
		}
		var tokens, ids []string
		for i := range 20 {
			res, err := auth.CreateSession(ctx, []string{"alice", "bob"}[i%2], map[string]string{"ip": "203.0.113.7"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateSessionExpiry(ctx, res.Session.ID, res.Session.ExpiresAt.Add(1)); err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, res.Token)
			ids = append(ids, res.Session.ID)
		}
		var dump strings.Builder
		for _, k := range keysOf(t, client, s.prefix) {
			dump.WriteString(k + "\n")
			switch typ := client.Type(ctx, k).Val(); typ {
			case "string":
				dump.WriteString(client.Get(ctx, k).Val() + "\n")
			case "zset":
				for _, z := range client.ZRangeWithScores(ctx, k, 0, -1).Val() {
					dump.WriteString(z.Member.(string) + "\n")
				}
			default:
				t.Fatalf("key %q has type %q, which the store never writes", k, typ)
			}
		}
		raw := dump.String()
		for i, tok := range tokens {
			for _, form := range []string{tok, strings.ToUpper(tok)} {
				if strings.Contains(raw, form) {
					t.Fatalf("token %d is stored in Redis", i)
				}
			}
			if !strings.Contains(raw, ids[i]) {
				t.Fatalf("session ID %d is not in Redis: the dump misses keys, so the check above proves nothing", i)
			}
		}
	})
}
