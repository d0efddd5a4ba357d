package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestNewErrors(t *testing.T) {
	// New does no I/O: a handle on no server is fine.
	db, err := sql.Open("mysql", "nobody@tcp(127.0.0.1:1)/none")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqltest.NewErrors(t, func() error { _, err := New(nil); return err },
		func(table string) error { _, err := New(db, WithTable(table)); return err })
}

// TestLongUserIDs: up to MaxUserIDLen bytes are kept, longer ones refused
// with the typed error (a server outside strict mode would truncate them).
func TestLongUserIDs(t *testing.T) {
	s := newTestStore(t, testDB(t))
	ctx := context.Background()
	long := strings.Repeat("u", MaxUserIDLen)
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: long + "v", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveSession(ctx, r); !errors.Is(err, narvik.ErrInvalidUserID) {
		t.Errorf("SaveSession with a user ID of %d bytes = %v, want an error wrapping narvik.ErrInvalidUserID", len(r.UserID), err)
	}
	r.UserID = long
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatalf("SaveSession with a user ID of MaxUserIDLen bytes: %v", err)
	}
	if list, err := s.FetchSessionsForUser(ctx, long+"v"); err != nil || len(list) != 0 {
		t.Errorf("FetchSessionsForUser of the longer ID = %d, %v; want none", len(list), err)
	}
	if list, err := s.FetchSessionsForUser(ctx, long); err != nil || len(list) != 1 {
		t.Errorf("FetchSessionsForUser of the ID = %d, %v; want its session", len(list), err)
	}
}

func TestBadRecord(t *testing.T) {
	db := testDB(t)
	s := newTestStore(t, db)
	sqltest.BadRecord(t, s, func(t *testing.T, id, userID string, expiresAt time.Time) {
		_, err := db.Exec("INSERT INTO "+quote(s.table)+" VALUES (?, ?, ?, 0, '')", id, userID, expiresAt.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestUpdateToSameExpiry: MySQL reports 0 rows affected for an UPDATE that
// changes nothing; the session is still there, so that is not "not found".
func TestUpdateToSameExpiry(t *testing.T) {
	s := newTestStore(t, testDB(t))
	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "u", ExpiresAt: exp, CreatedAt: time.Now()}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateSessionExpiry(ctx, r.ID, exp); err != nil {
		t.Fatalf("UpdateSessionExpiry to the expiry it has = %v, want nil", err)
	}
	if err := s.UpdateSessionExpiry(ctx, narvik.SessionIDFromToken("other"), exp); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("UpdateSessionExpiry of a missing session = %v, want narvik.ErrSessionNotFound", err)
	}
}

// TestClose: calls after Close fail, and Close twice is fine.
func TestClose(t *testing.T) {
	db := testDB(t)
	s := newTestStore(t, db)
	ctx := context.Background()
	if _, err := s.FetchSession(ctx, narvik.SessionIDFromToken("x")); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FetchSession(ctx, narvik.SessionIDFromToken("x")); err == nil || errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("FetchSession after Close = %v, want an error", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("Close closed the caller's *sql.DB: %v", err)
	}
}
