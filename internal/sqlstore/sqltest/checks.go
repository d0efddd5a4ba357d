package sqltest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// BadTables are names that WithTable must refuse: not identifiers, not
// lowercase, too long, or an attempt at SQL.
var BadTables = []string{
	"", "a b", "Sessions", "1sessions", "sessions;drop", `a"b`, "a`b", "auth.sessions", "séssions",
	strings.Repeat("s", 49),
}

// NewErrors fails unless newNil (New with a nil client) fails with an
// error wrapping narvik.ErrNilClient, and newWithTable (New with
// WithTable) refuses every name of BadTables with an error wrapping
// narvik.ErrInvalidOption and accepts the longest valid name. Neither may
// need a server: New does no I/O.
func NewErrors(t *testing.T, newNil func() error, newWithTable func(table string) error) {
	t.Helper()
	if err := newNil(); !errors.Is(err, narvik.ErrNilClient) {
		t.Errorf("New(nil) = %v, want an error wrapping narvik.ErrNilClient", err)
	}
	for _, name := range BadTables {
		if err := newWithTable(name); !errors.Is(err, narvik.ErrInvalidOption) {
			t.Errorf("WithTable(%q): New = %v, want an error wrapping narvik.ErrInvalidOption", name, err)
		}
	}
	if err := newWithTable(strings.Repeat("s", 48)); err != nil {
		t.Errorf("WithTable of 48 letters: %v", err)
	}
}

// NoToken creates a session through narvik on store, reads the table raw
// with dump (every column of every row, as the database returns it), and
// fails if the token appears anywhere or the row's ID is not its SHA-256.
func NoToken(t *testing.T, store narvik.SessionStore, dump func(t *testing.T) [][]byte) {
	t.Helper()
	n, err := narvik.New[map[string]string](store)
	if err != nil {
		t.Fatal(err)
	}
	res, err := n.CreateSession(context.Background(), "user-1", map[string]string{"theme": "dark"})
	if err != nil {
		t.Fatal(err)
	}
	rows := dump(t)
	if len(rows) == 0 {
		t.Fatal("the raw read found no rows")
	}
	id := narvik.SessionIDFromToken(res.Token)
	found := false
	for _, col := range rows {
		if strings.Contains(string(col), res.Token) || strings.Contains(strings.ToLower(string(col)), strings.ToLower(res.Token)) {
			t.Fatalf("the table holds the token %q in a column (%q)", res.Token, col)
		}
		found = found || string(col) == id
	}
	if !found {
		t.Fatalf("no column holds the session ID %s (the token's SHA-256)", id)
	}
}

// BadRecord writes, with insert, a live row that no store writes (an empty
// user_id) and fails unless reading it gives an error wrapping
// narvik.ErrBadRecord, from FetchSession, from AllSessions, and through
// narvik.ValidateSession an error and no session.
func BadRecord(t *testing.T, store narvik.SessionStore, insert func(t *testing.T, id, userID string, expiresAt time.Time)) {
	t.Helper()
	ctx := context.Background()
	n, err := narvik.New[struct{}](store)
	if err != nil {
		t.Fatal(err)
	}
	token := "abcdefghijklmnopqrstuvwxyz234567"
	id := narvik.SessionIDFromToken(token)
	insert(t, id, "", time.Now().Add(time.Hour))
	if _, err := store.FetchSession(ctx, id); !errors.Is(err, narvik.ErrBadRecord) {
		t.Errorf("FetchSession of a row with an empty user_id = %v, want an error wrapping narvik.ErrBadRecord", err)
	}
	if e, ok := store.(narvik.Enumerator); ok {
		var walkErr error
		for _, err := range e.AllSessions(ctx) {
			walkErr = err
		}
		if !errors.Is(walkErr, narvik.ErrBadRecord) {
			t.Errorf("AllSessions over a row with an empty user_id ended with %v, want an error wrapping narvik.ErrBadRecord", walkErr)
		}
	}
	if s, err := n.ValidateSession(ctx, token); s != nil || err == nil {
		t.Errorf("ValidateSession of a bad row = %+v, %v; want no session and an error", s, err)
	}
}
