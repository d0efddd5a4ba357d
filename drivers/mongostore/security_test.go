package mongostore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// TestTokensNeverStored creates sessions through narvik.New, extends and
// invalidates some, then reads every raw document of the collection (what a
// database dump holds) and checks that no token appears in any form: not as
// text in either case, not as its 20 raw bytes. Each session's _id must be the
// SHA-256 hex of its token, and nothing else may be derived from it.
func TestTokensNeverStored(t *testing.T) {
	client := connect(t)
	s, coll := newStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	type data struct{ Note string }
	// A clock the test moves, so it can make validation extend sessions.
	clock := testkit.NewClock(time.Now())
	n, err := narvik.New[data](s, narvik.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	ids := map[string]string{} // session ID -> token
	for i := range 20 {
		res, err := n.CreateSession(ctx, "user-"+string(rune('a'+i%3)), data{Note: "hello"})
		if err != nil {
			t.Fatalf("CreateSession: %v", err)
		}
		tokens = append(tokens, res.Token)
		ids[res.Session.ID] = res.Token
	}
	// Extend every session (its expiry is rewritten) and invalidate a few.
	clock.Advance(20 * 24 * time.Hour)
	for i, tok := range tokens {
		sess, err := n.ValidateSession(ctx, tok)
		if err != nil || sess == nil || !sess.Extended {
			t.Fatalf("ValidateSession(%d) = %+v, %v; want an extended session", i, sess, err)
		}
		if i%5 == 0 {
			if err := n.InvalidateSession(ctx, sess.ID); err != nil {
				t.Fatal(err)
			}
			delete(ids, sess.ID)
		}
	}

	cur, err := coll.Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.Raw
	if err := cur.All(ctx, &docs); err != nil {
		t.Fatal(err)
	}
	if len(docs) != len(ids) {
		t.Fatalf("collection holds %d documents, want %d", len(docs), len(ids))
	}
	raw32 := base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	for _, doc := range docs {
		for _, tok := range tokens {
			forms := map[string][]byte{
				"token":             []byte(tok),
				"uppercase token":   []byte(strings.ToUpper(tok)),
				"token's raw bytes": mustDecode(t, raw32, tok),
			}
			for form, b := range forms {
				if bytes.Contains(doc, b) {
					t.Errorf("a stored document contains a %s: %s", form, doc)
				}
			}
		}
		id := doc.Lookup("_id").StringValue()
		tok, ok := ids[id]
		if !ok {
			t.Errorf("stored _id %q is not the ID of a live session", id)
			continue
		}
		sum := sha256.Sum256([]byte(tok))
		if id != hex.EncodeToString(sum[:]) {
			t.Errorf("stored _id %q is not the SHA-256 hex of its token", id)
		}
	}
}

func mustDecode(t *testing.T, enc *base32.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.DecodeString(s)
	if err != nil || len(b) != 20 {
		t.Fatalf("token %q is not 20 bytes of base32: %v", s, err)
	}
	return b
}
