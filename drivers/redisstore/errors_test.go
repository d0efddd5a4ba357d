package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
)

// TestNewErrors: a nil client and an unusable option give the errors of
// narvik's vocabulary; New does no I/O.
func TestNewErrors(t *testing.T) {
	for name, client := range map[string]redis.UniversalClient{
		"nil":                      nil,
		"typed nil *Client":        (*redis.Client)(nil),
		"typed nil *ClusterClient": (*redis.ClusterClient)(nil),
		"typed nil *Ring":          (*redis.Ring)(nil),
	} {
		_, err := New(client)
		if !errors.Is(err, narvik.ErrNilClient) || !errors.Is(err, ErrNilClient) {
			t.Errorf("New(%s) = %v, want an error wrapping narvik.ErrNilClient", name, err)
		}
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled: New does no I/O
	defer c.Close()
	if _, err := New(c, WithKeyPrefix("")); !errors.Is(err, narvik.ErrInvalidOption) || !strings.Contains(err.Error(), "WithKeyPrefix") {
		t.Errorf("New with an empty prefix = %v, want an error wrapping narvik.ErrInvalidOption that names WithKeyPrefix", err)
	}
	s, err := New(c, nil)
	if err != nil || s.prefix != DefaultKeyPrefix || !s.single {
		t.Errorf("New(client, nil option) = %+v, %v; want the default prefix and the standalone path", s, err)
	}
}

// TestCorruptValueFailsClosed: a value this package did not write gives an
// error wrapping ErrCorruptRecord and narvik.ErrBadRecord from every method
// that reads it, and through the core an error and no session.
func TestCorruptValueFailsClosed(t *testing.T) {
	both(t, func(t *testing.T, client redis.UniversalClient) {
		s := newTestStore(t, client)
		ctx := context.Background()
		auth, err := narvik.New[struct{}](s)
		if err != nil {
			t.Fatal(err)
		}
		res, err := auth.CreateSession(ctx, "u", struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		bad := func(what string, err error) {
			t.Helper()
			if !errors.Is(err, narvik.ErrBadRecord) || !errors.Is(err, ErrCorruptRecord) {
				t.Errorf("%s = %v, want an error wrapping narvik.ErrBadRecord and ErrCorruptRecord", what, err)
			}
		}
		for _, v := range []string{"", "x", "\x01" + strings.Repeat("\xff", 30), "\x02" + strings.Repeat("\x00", 30)} {
			if err := client.Set(ctx, s.sessionKey(res.Session.ID), v, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			_, err := s.FetchSession(ctx, res.Session.ID)
			bad("FetchSession of "+v, err)
			_, err = s.FetchSessionsForUser(ctx, "u")
			bad("FetchSessionsForUser over "+v, err)
			if sess, err := auth.ValidateSession(ctx, res.Token); sess != nil || err == nil {
				t.Errorf("ValidateSession over %q = %v, %v; want no session and an error", v, sess, err)
			}
		}
		if err := client.Persist(ctx, s.sessionKey(res.Session.ID)).Err(); err != nil {
			t.Fatal(err)
		}
		bad("UpdateSessionExpiry of a key without expiry", s.UpdateSessionExpiry(ctx, res.Session.ID, time.Now().Add(time.Hour)))
	})
}

// TestInvalidSessionID: a session ID other than 64 lowercase hex is refused
// with narvik.ErrInvalidSessionID before any round trip (the key grammar
// depends on it), and reads, updates and deletes of one find nothing.
func TestInvalidSessionID(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // nothing listens: any round trip would fail
	defer c.Close()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"", "abc", strings.Repeat("A", 64), strings.Repeat("a", 63) + ":", "x:" + newID()} {
		if err := s.SaveSession(ctx, rec(id, "u", time.Hour)); !errors.Is(err, narvik.ErrInvalidSessionID) {
			t.Errorf("SaveSession(%q) = %v, want an error wrapping narvik.ErrInvalidSessionID", id, err)
		}
		if _, err := s.FetchSession(ctx, id); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("FetchSession(%q) = %v, want narvik.ErrSessionNotFound", id, err)
		}
		if err := s.UpdateSessionExpiry(ctx, id, time.Now().Add(time.Hour)); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("UpdateSessionExpiry(%q) = %v, want narvik.ErrSessionNotFound", id, err)
		}
		if err := s.DeleteSession(ctx, id); err != nil {
			t.Errorf("DeleteSession(%q) = %v, want nil", id, err)
		}
	}
}
