package boltstore_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
)

// txID is the ID of the database's last committed write transaction: it
// moves with every write, and only then.
func txID(t *testing.T, db *bolt.DB) int {
	t.Helper()
	var id int
	if err := db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestNewNeedsEnsureSchema: New does no I/O, and a store from New used
// before EnsureSchema fails every call with ErrNoSchema, which says what to
// do, rather than ErrCorrupt (nothing is wrong with the file) or "not
// found" (which would look like every session vanished). EnsureSchema
// creates the buckets once; called again it writes nothing.
func TestNewNeedsEnsureSchema(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	before, reads := txID(t, db), db.Stats().TxN
	s, err := boltstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if got := db.Stats().TxN; got != reads {
		t.Fatalf("New started %d transactions, want none: New does no I/O", got-reads)
	}

	r := record("u", time.Hour)
	calls := map[string]error{
		"SaveSession":              s.SaveSession(bg, r),
		"FetchSession":             func() error { _, err := s.FetchSession(bg, r.ID); return err }(),
		"UpdateSessionExpiry":      s.UpdateSessionExpiry(bg, r.ID, r.ExpiresAt),
		"DeleteSession":            s.DeleteSession(bg, r.ID),
		"FetchSessionsForUser":     func() error { _, err := s.FetchSessionsForUser(bg, "u"); return err }(),
		"DeleteSessionsForUser":    s.DeleteSessionsForUser(bg, "u"),
		"DeleteAllExpiredSessions": func() error { _, err := s.DeleteAllExpiredSessions(bg); return err }(),
		"AllSessions": func() error {
			for _, err := range s.AllSessions(bg) {
				return err
			}
			return nil
		}(),
	}
	for name, err := range calls {
		if !errors.Is(err, boltstore.ErrNoSchema) || errors.Is(err, narvik.ErrBadRecord) {
			t.Errorf("%s before EnsureSchema = %v; want ErrNoSchema", name, err)
		}
	}
	if got := txID(t, db); got != before {
		t.Fatalf("calls before EnsureSchema wrote %d transactions", got-before)
	}

	if err := s.EnsureSchema(bg); err != nil {
		t.Fatal(err)
	}
	created := txID(t, db)
	if created != before+1 {
		t.Fatalf("EnsureSchema committed %d write transactions, want 1", created-before)
	}
	mustSave(t, s, r)
	saved := txID(t, db)
	if err := s.EnsureSchema(bg); err != nil {
		t.Fatal(err)
	}
	if got := txID(t, db); got != saved {
		t.Fatalf("a second EnsureSchema wrote (tx %d -> %d); want a read only", saved, got)
	}
	if _, err := s.FetchSession(bg, r.ID); err != nil {
		t.Fatalf("FetchSession after a second EnsureSchema: %v", err)
	}
}

// TestEnsureSchemaReadOnly: on a database opened read-only whose buckets
// exist, EnsureSchema succeeds (it only reads) and reads work; on one
// without them it fails, and the store stays unusable.
func TestEnsureSchemaReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := boltstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	r := record("u", time.Hour)
	mustSave(t, s, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if db, err := bolt.Open(empty, 0o600, nil); err != nil {
		t.Fatal(err)
	} else if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		path string
		ok   bool
	}{{path, true}, {empty, false}} {
		db, err := bolt.Open(c.path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		s, err := boltstore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		err = s.EnsureSchema(bg)
		switch {
		case c.ok && err != nil:
			t.Errorf("EnsureSchema on a read-only database with the buckets = %v", err)
		case c.ok:
			if got, err := s.FetchSession(bg, r.ID); err != nil || got.ID != r.ID {
				t.Errorf("FetchSession on a read-only database = %+v, %v", got, err)
			}
		case err == nil:
			t.Errorf("EnsureSchema on a read-only database without the buckets succeeded")
		default:
			if _, err := s.FetchSession(bg, r.ID); !errors.Is(err, boltstore.ErrNoSchema) {
				t.Errorf("FetchSession after a failed EnsureSchema = %v, want ErrNoSchema", err)
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEnsureSchemaAfterClose: EnsureSchema of a closed store gives
// ErrClosed, like every other method.
func TestEnsureSchemaAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(context.Background()); !errors.Is(err, boltstore.ErrClosed) {
		t.Fatalf("EnsureSchema after Close = %v, want ErrClosed", err)
	}
}
