package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestNewErrors(t *testing.T) {
	// New does no I/O: not even the file is created.
	path := filepath.Join(t.TempDir(), "never.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqltest.NewErrors(t, func() error { _, err := New(nil); return err },
		func(table string) error { _, err := New(db, WithTable(table)); return err })
	if _, err := New(db); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("New touched the database file: %v", err)
	}
	for _, bad := range []string{"", "x.db?mode=ro"} {
		if _, err := Open(bad); !errors.Is(err, narvik.ErrInvalidOption) {
			t.Errorf("Open(%q) = %v, want an error wrapping narvik.ErrInvalidOption", bad, err)
		}
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), WithTable("Bad")); !errors.Is(err, narvik.ErrInvalidOption) {
		t.Errorf("Open with a bad table = %v, want an error wrapping narvik.ErrInvalidOption", err)
	}
}

func TestBadRecord(t *testing.T) {
	s := newTestStore(t)
	sqltest.BadRecord(t, s, func(t *testing.T, id, userID string, expiresAt time.Time) {
		_, err := s.db.Exec("INSERT INTO "+quote(s.table)+" VALUES (?, ?, ?, 0, x'')", id, userID, expiresAt.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestCloseAndReopen: Close closes the file Open opened, a second Close is
// fine, later calls fail, and the sessions are there when it is opened
// again.
func TestCloseAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "u", ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Millisecond), CreatedAt: time.Now().Truncate(time.Millisecond)}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.FetchSession(ctx, r.ID); err == nil || errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("FetchSession after Close = %v, want an error", err)
	}
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.FetchSession(ctx, r.ID)
	if err != nil || !got.ExpiresAt.Equal(r.ExpiresAt) || got.UserID != "u" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}

// TestMemory: ":memory:" is one database for the whole Store, not one per
// connection.
func TestMemory(t *testing.T) {
	s, err := Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sqltest.Fill(t, s, 100, false)
	n := 0
	for _, err := range s.AllSessions(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 100 {
		t.Fatalf("walked %d sessions, want 100", n)
	}
}
