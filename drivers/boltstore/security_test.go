package boltstore_test

import (
	"bytes"
	"encoding/base32"
	"os"
	"testing"

	"github.com/narvik-go/narvik"
)

// TestFileNeverHoldsTokens creates, validates, extends and invalidates
// sessions through narvik.New, then reads the database file byte for byte:
// no token appears in it, neither as issued (base32 text) nor as its 20 raw
// bytes, while every session ID does (so the test would see a token if one
// were stored).
func TestFileNeverHoldsTokens(t *testing.T) {
	s, path := openTemp(t)
	n, err := narvik.New[map[string]string](s)
	if err != nil {
		t.Fatal(err)
	}
	type issued struct{ token, id string }
	var all []issued
	for i := range 50 {
		res, err := n.CreateSession(bg, "user-1", map[string]string{"ip": "203.0.113.7"})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := n.ValidateSession(bg, res.Token); got == nil || err != nil {
			t.Fatalf("ValidateSession = %v, %v", got, err)
		}
		if i%10 == 0 {
			if err := n.InvalidateSession(bg, res.Session.ID); err != nil {
				t.Fatal(err)
			}
			continue
		}
		all = append(all, issued{res.Token, res.Session.ID})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	enc := base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	for _, x := range all {
		rawToken, err := enc.DecodeString(x.token)
		if err != nil || len(rawToken) != 20 {
			t.Fatalf("token %q does not decode to 20 bytes: %v", x.token, err)
		}
		if bytes.Contains(file, []byte(x.token)) || bytes.Contains(file, rawToken) {
			t.Fatalf("the database file contains a token (session %s)", x.id)
		}
		if !bytes.Contains(file, []byte(x.id)) {
			t.Fatalf("the database file does not contain session ID %s: the test reads the wrong bytes", x.id)
		}
	}
}
