package postgresstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

func TestNewErrors(t *testing.T) {
	for _, db := range []DB{(*pgxpool.Pool)(nil), (*pgx.Conn)(nil)} {
		if _, err := New(db); !errors.Is(err, narvik.ErrNilClient) {
			t.Errorf("New(%#v) = %v, want an error wrapping narvik.ErrNilClient", db, err)
		}
	}
	// New does no I/O: a pool that was never connected is fine.
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	sqltest.NewErrors(t, func() error { _, err := New(nil); return err },
		func(table string) error { _, err := New(pool, WithTable(table)); return err })
}

// TestInvalidUserIDs: what a text column cannot hold is refused with the
// typed error before any query, and found nowhere.
func TestInvalidUserIDs(t *testing.T) {
	s := newTestStore(t, testPool(t))
	ctx := context.Background()
	for _, id := range []string{"\xff", "a\x00b", strings.Repeat("u", MaxUserIDLen+1)} {
		r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: id, ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.SaveSession(ctx, r); !errors.Is(err, narvik.ErrInvalidUserID) {
			t.Errorf("SaveSession for user %.20q = %v, want an error wrapping narvik.ErrInvalidUserID", id, err)
		}
		if list, err := s.FetchSessionsForUser(ctx, id); err != nil || len(list) != 0 {
			t.Errorf("FetchSessionsForUser(%.20q) = %d, %v; want none", id, len(list), err)
		}
	}
	if err := s.SaveSession(ctx, narvik.Record{ID: narvik.SessionIDFromToken("x"), UserID: strings.Repeat("u", MaxUserIDLen), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Errorf("SaveSession with a user ID of MaxUserIDLen bytes: %v", err)
	}
}

func TestBadRecord(t *testing.T) {
	pool := testPool(t)
	s := newTestStore(t, pool)
	sqltest.BadRecord(t, s, func(t *testing.T, id, userID string, expiresAt time.Time) {
		_, err := pool.Exec(context.Background(), "INSERT INTO "+quote(s.table)+" VALUES ($1, $2, $3, 0, '')", id, userID, expiresAt.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
	})
}
