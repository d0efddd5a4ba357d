package storeurl_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
	"github.com/narvik-go/narvik/storeurl/storeurltest"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func TestOpenEveryKind(t *testing.T) {
	for _, kind := range []storeurl.Kind{storeurl.Memory, storeurl.Bolt, storeurl.Redis, storeurl.RedisCluster, storeurl.MongoDB, storeurl.DynamoDB, storeurl.Postgres, storeurl.MySQL, storeurl.SQLite} {
		t.Run(string(kind), func(t *testing.T) {
			u := storeurltest.URL(t, kind)
			o, err := storeurl.Open(ctx(t), u, storeurl.Create())
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := o.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			if o.Spec.Kind != kind || o.Description() == "" {
				t.Fatalf("opened %s %q, want kind %s", o.Spec.Kind, o.Description(), kind)
			}
			if _, err := o.EnsureSchema(ctx(t)); err != nil {
				t.Fatalf("EnsureSchema: %v", err)
			}
			r := narvik.Record{
				ID: narvik.SessionIDFromToken("storeurl-" + string(kind)), UserID: "alice",
				CreatedAt: time.Now().Truncate(time.Millisecond), ExpiresAt: time.Now().Add(time.Hour).Truncate(time.Millisecond),
				Data: []byte(`{"k":1}`),
			}
			if err := o.Store.SaveSession(ctx(t), r); err != nil {
				t.Fatal(err)
			}
			got, err := o.Store.FetchSession(ctx(t), r.ID)
			if err != nil || got.UserID != "alice" || string(got.Data) != `{"k":1}` {
				t.Fatalf("FetchSession = %+v, %v", got, err)
			}
		})
	}
}

func TestOpenWritesNothing(t *testing.T) {
	for _, kind := range []string{"bolt", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.db")
			_, err := storeurl.Open(ctx(t), kind+":"+path)
			if !errors.Is(err, storeurl.ErrUnreachable) {
				t.Fatalf("Open of a missing file = %v, want ErrUnreachable", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("Open without Create made the file: %v", err)
			}
			o, err := storeurl.Open(ctx(t), kind+":"+path, storeurl.Create())
			if err != nil {
				t.Fatal(err)
			}
			o.Close()
		})
	}
	t.Run("dynamodb", func(t *testing.T) {
		u := storeurltest.URL(t, storeurl.DynamoDB)
		o, err := storeurl.Open(ctx(t), u)
		if err != nil {
			t.Fatalf("Open of a table that does not exist yet: %v (ensure-schema must be able to open it)", err)
		}
		defer o.Close()
		// Nothing was created: the table is still missing.
		if _, err := o.Store.FetchSession(ctx(t), narvik.SessionIDFromToken("x")); err == nil || errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatalf("FetchSession before ensure-schema = %v, want the missing table's error", err)
		}
		ensured, err := o.EnsureSchema(ctx(t))
		if err != nil || !ensured {
			t.Fatalf("EnsureSchema = %v, %v", ensured, err)
		}
		if _, err := o.Store.FetchSession(ctx(t), narvik.SessionIDFromToken("x")); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatalf("FetchSession after ensure-schema = %v", err)
		}
	})
}

func TestOpenUnreachable(t *testing.T) {
	// Port 1 on loopback: nothing listens there, the connection is refused.
	for _, u := range []string{
		"redis://127.0.0.1:1/0",
		"postgres://postgres@127.0.0.1:1/narvik?connect_timeout=2",
		"mysql://root@127.0.0.1:1/narvik",
		"redis-cluster://127.0.0.1:1,127.0.0.1:2",
		"mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500",
		"dynamodb://127.0.0.1:1",
	} {
		t.Run(u, func(t *testing.T) {
			c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			_, err := storeurl.Open(c, u)
			if !errors.Is(err, storeurl.ErrUnreachable) {
				t.Fatalf("Open(%s) = %v, want ErrUnreachable", u, err)
			}
			if c.Err() != nil {
				t.Fatalf("Open(%s) took %v: it should fail as soon as the connection is refused", u, time.Since(start))
			}
		})
	}
}

func TestOpenLockedBoltFile(t *testing.T) {
	u := storeurltest.URL(t, storeurl.Bolt)
	held, err := storeurl.Open(ctx(t), u, storeurl.Create())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	// bbolt's lock is per open file description, so a second open in the
	// same process waits like another process would.
	if _, err := storeurl.Open(ctx(t), u); !errors.Is(err, storeurl.ErrUnreachable) {
		t.Fatalf("Open of a locked file = %v, want ErrUnreachable", err)
	}
}
