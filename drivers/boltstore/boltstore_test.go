package boltstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	bolt "go.etcd.io/bbolt"
)

var bg = context.Background()

func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// record returns a record of user that expires in d (negative: expired).
func record(user string, d time.Duration) narvik.Record {
	now := time.Now().Truncate(time.Millisecond)
	return narvik.Record{
		ID:        newID(),
		UserID:    user,
		ExpiresAt: now.Add(d),
		CreatedAt: now.Add(-time.Hour),
		Data:      []byte(`{"ip":"203.0.113.7"}`),
	}
}

// kv is one raw entry of a bucket, copied out of its transaction.
type kv struct{ k, v []byte }

// raw returns the entries of one of the store's nested buckets, read with
// bbolt directly: this is the layout doc.go promises.
func raw(t *testing.T, db *bolt.DB, nested string) []kv {
	t.Helper()
	var out []kv
	err := db.View(func(tx *bolt.Tx) error {
		top := tx.Bucket([]byte("narvik"))
		if top == nil {
			return errors.New("no top-level bucket \"narvik\"")
		}
		b := top.Bucket([]byte(nested))
		if b == nil {
			return fmt.Errorf("no nested bucket %q", nested)
		}
		return b.ForEach(func(k, v []byte) error {
			out = append(out, kv{bytes.Clone(k), bytes.Clone(v)})
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawPut writes one raw value into a nested bucket, to damage the store.
func rawPut(t *testing.T, db *bolt.DB, nested string, k, v []byte) {
	t.Helper()
	err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("narvik")).Bucket([]byte(nested)).Put(k, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func ids(rs []narvik.Record) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	slices.Sort(out)
	return out
}

func mustSave(t testing.TB, s *boltstore.Store, rs ...narvik.Record) {
	t.Helper()
	for _, r := range rs {
		if err := s.SaveSession(bg, r); err != nil {
			t.Fatalf("SaveSession(%.16s): %v", r.ID, err)
		}
	}
}

// TestUserIndexKeepsUsersApart saves sessions for user IDs that are
// prefixes of each other, contain NUL or are empty, and checks that listing
// and deleting one user never touches another, and that the users index
// keys are uvarint(len(userID)) || userID || sessionID.
func TestUserIndexKeepsUsersApart(t *testing.T) {
	s, _ := openTemp(t)
	users := []string{"", "a", "a\x00", "a\x00b", "ab", "\x00", "\x00\x00", strings.Repeat("a", 200), strings.Repeat("a", 201)}
	want := map[string][]string{}
	for _, u := range users {
		for range 3 {
			r := record(u, time.Hour)
			mustSave(t, s, r)
			want[u] = append(want[u], r.ID)
		}
		slices.Sort(want[u])
	}
	for _, u := range users {
		got, err := s.FetchSessionsForUser(bg, u)
		if err != nil {
			t.Fatalf("FetchSessionsForUser(%q): %v", u, err)
		}
		if !slices.Equal(ids(got), want[u]) {
			t.Fatalf("FetchSessionsForUser(%q) = %q, want %q", u, ids(got), want[u])
		}
	}

	entries := raw(t, s.DB(), "users")
	if len(entries) != 3*len(users) {
		t.Fatalf("users index has %d entries, want %d", len(entries), 3*len(users))
	}
	for _, e := range entries {
		n, k := binary.Uvarint(e.k)
		if k <= 0 || uint64(len(e.k)) != uint64(k)+n+64 {
			t.Fatalf("users key %q is not uvarint(len) || userID || 64-byte session ID", e.k)
		}
		u, id := string(e.k[k:k+int(n)]), string(e.k[k+int(n):])
		if !slices.Contains(want[u], id) {
			t.Fatalf("users key names session %.16s of user %q, which is not one of theirs", id, u)
		}
		if len(e.v) != 0 {
			t.Fatalf("users entry has a %d-byte value, want empty", len(e.v))
		}
	}

	for _, victim := range []string{"a", "\x00", ""} {
		if err := s.DeleteSessionsForUser(bg, victim); err != nil {
			t.Fatalf("DeleteSessionsForUser(%q): %v", victim, err)
		}
		delete(want, victim)
		for _, u := range users {
			got, err := s.FetchSessionsForUser(bg, u)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got), want[u]) {
				t.Fatalf("after deleting user %q: FetchSessionsForUser(%q) = %d sessions, want %d", victim, u, len(got), len(want[u]))
			}
		}
	}
	left := 3 * (len(users) - 3)
	for _, b := range []string{"sessions", "users", "expiry"} {
		if n := len(raw(t, s.DB(), b)); n != left {
			t.Fatalf("after deleting 3 users the %s bucket has %d entries, want %d", b, n, left)
		}
	}
}

// TestDeleteAllExpiredLeavesOnlyLiveEntries checks the expiry index: after
// the cleanup it holds exactly the live records, each under its expiry time,
// and the count is exact, across several batches and times before 1970.
func TestDeleteAllExpiredLeavesOnlyLiveEntries(t *testing.T) {
	s, _ := openTemp(t)
	var live, expired []narvik.Record
	for i := range 40 {
		live = append(live, record(fmt.Sprintf("user-%d", i%7), time.Duration(i+1)*time.Minute))
	}
	for i := range 2345 { // three batches
		expired = append(expired, record(fmt.Sprintf("user-%d", i%7), -time.Duration(i+1)*time.Second))
	}
	// Expiry times before 1970 are negative milliseconds: they must sort
	// first, not after every live record.
	old := record("user-old", 0)
	old.ExpiresAt = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	epoch := record("user-old", 0)
	epoch.ExpiresAt = time.UnixMilli(-1)
	expired = append(expired, old, epoch)
	if err := s.SaveMany(append(slices.Clone(live), expired...)); err != nil {
		t.Fatal(err)
	}

	n, err := s.DeleteAllExpiredSessions(bg)
	if err != nil || n != len(expired) {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want %d, nil", n, err, len(expired))
	}

	now := time.Now().UnixMilli()
	liveByID := map[string]narvik.Record{}
	for _, r := range live {
		liveByID[r.ID] = r
	}
	exp := raw(t, s.DB(), "expiry")
	if len(exp) != len(live) {
		t.Fatalf("expiry index has %d entries after cleanup, want the %d live ones", len(exp), len(live))
	}
	for i, e := range exp {
		ms := int64(binary.BigEndian.Uint64(e.k) ^ 1<<63)
		r, ok := liveByID[string(e.k[8:])]
		switch {
		case !ok:
			t.Fatalf("expiry entry %d names %.16s, which is not a live record", i, e.k[8:])
		case ms != r.ExpiresAt.UnixMilli():
			t.Fatalf("expiry entry of %.16s says %d, the record expires at %d", r.ID, ms, r.ExpiresAt.UnixMilli())
		case ms <= now:
			t.Fatalf("expiry entry %d (%d) is not after now (%d)", i, ms, now)
		case i > 0 && bytes.Compare(exp[i-1].k, e.k) >= 0:
			t.Fatal("expiry entries out of order")
		}
	}
	if got := len(raw(t, s.DB(), "sessions")); got != len(live) {
		t.Fatalf("sessions bucket has %d records, want %d", got, len(live))
	}
	if got := len(raw(t, s.DB(), "users")); got != len(live) {
		t.Fatalf("users index has %d entries, want %d", got, len(live))
	}
	for _, r := range live {
		if _, err := s.FetchSession(bg, r.ID); err != nil {
			t.Fatalf("live record %.16s after cleanup: %v", r.ID, err)
		}
	}
	if n, err := s.DeleteAllExpiredSessions(bg); n != 0 || err != nil {
		t.Fatalf("second DeleteAllExpiredSessions = %d, %v; want 0, nil", n, err)
	}
}

// TestUpdateMovesExpiryEntry checks that an extension leaves exactly one
// expiry entry, under the new time, so the old one cannot delete the
// extended session.
func TestUpdateMovesExpiryEntry(t *testing.T) {
	s, _ := openTemp(t)
	r := record("user-1", 2*time.Second)
	mustSave(t, s, r)
	later := r.ExpiresAt.Add(time.Hour)
	if err := s.UpdateSessionExpiry(bg, r.ID, later); err != nil {
		t.Fatal(err)
	}
	exp := raw(t, s.DB(), "expiry")
	if len(exp) != 1 {
		t.Fatalf("expiry index has %d entries after an update, want 1", len(exp))
	}
	if ms := int64(binary.BigEndian.Uint64(exp[0].k) ^ 1<<63); ms != later.UnixMilli() || string(exp[0].k[8:]) != r.ID {
		t.Fatalf("expiry entry = (%d, %.16s), want (%d, %.16s)", ms, exp[0].k[8:], later.UnixMilli(), r.ID)
	}
	got, err := s.FetchSession(bg, r.ID)
	if err != nil || !got.ExpiresAt.Equal(later) || !bytes.Equal(got.Data, r.Data) || got.UserID != r.UserID {
		t.Fatalf("FetchSession after update = %+v, %v", got, err)
	}
}

// TestMillisecondPrecision: times are stored as whole milliseconds, rounded
// down, so a record never lives longer than asked.
func TestMillisecondPrecision(t *testing.T) {
	s, _ := openTemp(t)
	r := record("user-1", time.Hour)
	r.ExpiresAt = r.ExpiresAt.Add(999 * time.Microsecond)
	r.CreatedAt = r.CreatedAt.Add(1)
	mustSave(t, s, r)
	got, err := s.FetchSession(bg, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.ExpiresAt.Equal(r.ExpiresAt.Truncate(time.Millisecond)) || !got.CreatedAt.Equal(r.CreatedAt.Truncate(time.Millisecond)) {
		t.Fatalf("got ExpiresAt %v CreatedAt %v, want them truncated to ms from %v, %v", got.ExpiresAt, got.CreatedAt, r.ExpiresAt, r.CreatedAt)
	}
}

// TestCorruptRecords damages stored values every way a truncation can and
// checks that reads fail closed with ErrCorrupt, never a panic or a record,
// and that deletes still work.
func TestCorruptRecords(t *testing.T) {
	s, _ := openTemp(t)
	r := record("user-1", time.Hour)
	r.Data = nil // so every truncation cuts into the header
	mustSave(t, s, r)
	good := raw(t, s.DB(), "sessions")[0].v
	bad := [][]byte{{2}, append([]byte{1}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)}
	for n := range len(good) {
		bad = append(bad, good[:n])
	}
	for _, v := range bad {
		rawPut(t, s.DB(), "sessions", []byte(r.ID), v)
		if got, err := s.FetchSession(bg, r.ID); !errors.Is(err, boltstore.ErrCorrupt) || !errors.Is(err, narvik.ErrBadRecord) || got.ID != "" {
			t.Fatalf("FetchSession of value %x = %+v, %v; want no record and ErrCorrupt, which is a narvik.ErrBadRecord", v, got, err)
		} else if !strings.Contains(err.Error(), r.ID) {
			t.Fatalf("error %q does not name the session", err)
		}
		if err := s.UpdateSessionExpiry(bg, r.ID, time.Now().Add(time.Hour)); !errors.Is(err, boltstore.ErrCorrupt) {
			t.Fatalf("UpdateSessionExpiry of value %x = %v; want ErrCorrupt", v, err)
		}
		if _, err := s.FetchSessionsForUser(bg, "user-1"); !errors.Is(err, boltstore.ErrCorrupt) {
			t.Fatalf("FetchSessionsForUser with value %x = %v; want ErrCorrupt", v, err)
		}
		var walked error
		for got, err := range s.AllSessions(bg) {
			if err == nil {
				t.Fatalf("AllSessions over value %x yielded %+v", v, got)
			}
			walked = err
		}
		if !errors.Is(walked, narvik.ErrBadRecord) {
			t.Fatalf("AllSessions over value %x ended with %v; want narvik.ErrBadRecord", v, walked)
		}
	}
	if err := s.DeleteSession(bg, r.ID); err != nil {
		t.Fatalf("DeleteSession of a corrupt record: %v", err)
	}
	if _, err := s.FetchSession(bg, r.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("FetchSession after deleting the corrupt record = %v, want ErrSessionNotFound", err)
	}
}

// TestDanglingIndexEntries: deleting a corrupt record leaves its index
// entries (the value that named them is unreadable). Readers must ignore
// them, even when a later record reuses the ID for another user, and
// cleanups must remove them without touching that record.
func TestDanglingIndexEntries(t *testing.T) {
	s, _ := openTemp(t)
	gone := record("user-u", -time.Minute) // expired: its expiry entry is due
	gone.ID = "reused-id"
	keep := record("user-u", time.Hour)
	mustSave(t, s, gone, keep)
	rawPut(t, s.DB(), "sessions", []byte(gone.ID), []byte{0xee})
	if err := s.DeleteSession(bg, gone.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(raw(t, s.DB(), "users")); n != 2 {
		t.Fatalf("users index has %d entries, want 2 (one dangling)", n)
	}

	// Another user's live record takes the ID.
	other := record("user-v", time.Hour)
	other.ID = gone.ID
	mustSave(t, s, other)

	got, err := s.FetchSessionsForUser(bg, "user-u")
	if err != nil || !slices.Equal(ids(got), []string{keep.ID}) {
		t.Fatalf("FetchSessionsForUser(user-u) = %q, %v; want only %.16s", ids(got), err, keep.ID)
	}
	n, err := s.DeleteAllExpiredSessions(bg)
	if err != nil || n != 0 {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 0 records (only a dangling entry was due)", n, err)
	}
	if err := s.DeleteSessionsForUser(bg, "user-u"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FetchSession(bg, other.ID); err != nil {
		t.Fatalf("user-v's record was touched by user-u's cleanup: %v", err)
	}
	if got := raw(t, s.DB(), "users"); len(got) != 1 {
		t.Fatalf("users index has %d entries, want only user-v's", len(got))
	}
	if got := raw(t, s.DB(), "expiry"); len(got) != 1 || string(got[0].k[8:]) != other.ID {
		t.Fatalf("expiry index = %d entries, want only user-v's", len(got))
	}

	// A corrupt record that is due goes with the cleanup and is counted.
	due := record("user-w", -time.Minute)
	mustSave(t, s, due)
	rawPut(t, s.DB(), "sessions", []byte(due.ID), []byte{1})
	if n, err := s.DeleteAllExpiredSessions(bg); n != 1 || err != nil {
		t.Fatalf("DeleteAllExpiredSessions with a corrupt due record = %d, %v; want 1, nil", n, err)
	}
}

// TestMissingBucketIsCorrupt: a store whose bucket was removed under it
// reports ErrCorrupt instead of answering "not found" for everything.
func TestMissingBucketIsCorrupt(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.DB().Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("narvik")) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FetchSession(bg, newID()); !errors.Is(err, boltstore.ErrCorrupt) || !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("FetchSession without the bucket = %v, want ErrCorrupt (a narvik.ErrBadRecord)", err)
	}
	if err := s.SaveSession(bg, record("u", time.Hour)); !errors.Is(err, boltstore.ErrCorrupt) {
		t.Fatalf("SaveSession without the bucket = %v, want ErrCorrupt", err)
	}
}

// TestLayoutVersion: EnsureSchema refuses a bucket written with another
// layout, and the store stays unusable.
func TestLayoutVersion(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	newOver(t, db)
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("narvik")).Put([]byte("layout"), []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	s, err := boltstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureSchema(bg); err == nil || !strings.Contains(err.Error(), "layout version") {
		t.Fatalf("EnsureSchema over a version-2 layout = %v, want an error about the layout version", err)
	}
	if _, err := s.FetchSession(bg, newID()); !errors.Is(err, boltstore.ErrNoSchema) {
		t.Fatalf("FetchSession after a refused EnsureSchema = %v, want ErrNoSchema", err)
	}
}

// TestBucketsIsolateStores: two stores in one file under different buckets
// never see each other's records.
func TestBucketsIsolateStores(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "x.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := newOver(t, db, boltstore.WithBucket("a"))
	b := newOver(t, db, boltstore.WithBucket("b"))
	r := record("user-1", time.Hour)
	mustSave(t, a, r)
	if _, err := b.FetchSession(bg, r.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("store b sees store a's record: %v", err)
	}
	if err := b.SaveSession(bg, r); err != nil {
		t.Fatalf("store b refuses an ID that only store a has: %v", err)
	}
	if got, _ := a.FetchSessionsForUser(bg, "user-1"); len(got) != 1 {
		t.Fatalf("store a lists %d sessions, want 1", len(got))
	}
}

// TestOptionsAreChecked: unusable options are refused with
// narvik.ErrInvalidOption before any file is touched, a nil database with
// narvik.ErrNilClient.
func TestOptionsAreChecked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	for name, opt := range map[string]boltstore.Option{
		"empty bucket": boltstore.WithBucket(""),
		"zero timeout": boltstore.WithTimeout(0),
		"negative":     boltstore.WithTimeout(-time.Second),
	} {
		if s, err := boltstore.Open(path, opt); !errors.Is(err, narvik.ErrInvalidOption) || s != nil {
			t.Errorf("Open with %s = %v, %v; want nil, ErrInvalidOption", name, s, err)
		}
	}
	if s, err := boltstore.New(nil); !errors.Is(err, narvik.ErrNilClient) || s != nil {
		t.Errorf("New(nil) = %v, %v; want nil, narvik.ErrNilClient", s, err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if s, err := boltstore.New(db, boltstore.WithBucket("")); !errors.Is(err, narvik.ErrInvalidOption) || s != nil {
		t.Errorf("New with an empty bucket = %v, %v; want nil, ErrInvalidOption", s, err)
	}
}

// TestClose: Close is idempotent, every method fails with ErrClosed after
// it, the file is released (it opens again at once), and a database given
// to New stays open.
func TestClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	s, err := boltstore.Open(path, boltstore.WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	r := record("user-1", time.Hour)
	mustSave(t, s, r)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	if _, err := s.FetchSession(bg, r.ID); !errors.Is(err, boltstore.ErrClosed) {
		t.Fatalf("FetchSession after Close = %v, want ErrClosed", err)
	}
	if _, err := s.DeleteAllExpiredSessions(bg); !errors.Is(err, boltstore.ErrClosed) {
		t.Fatalf("DeleteAllExpiredSessions after Close = %v, want ErrClosed", err)
	}

	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("file still locked after Close: %v", err)
	}
	defer db.Close()
	s2 := newOver(t, db)
	if _, err := s2.FetchSession(bg, r.ID); err != nil {
		t.Fatalf("record saved before Close: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(*bolt.Tx) error { return nil }); err != nil {
		t.Fatalf("Close of a store from New closed the caller's database: %v", err)
	}
}

// TestDeleteAllExpiredCancelled: a cleanup whose context ends stops at the
// next commit, reports the cancellation with the count it removed, and a
// later cleanup removes the rest. (The core never calls with a done
// context; this is the cleanup an operator cancels halfway.)
func TestDeleteAllExpiredCancelled(t *testing.T) {
	s, _ := openTemp(t)
	var expired []narvik.Record
	for range 2345 {
		expired = append(expired, record("u", -time.Minute))
	}
	if err := s.SaveMany(expired); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if n, err := s.DeleteAllExpiredSessions(ctx); n != 1000 || !errors.Is(err, context.Canceled) {
		t.Fatalf("DeleteAllExpiredSessions(cancelled) = %d, %v; want one batch (1000), context.Canceled", n, err)
	}
	if n := len(raw(t, s.DB(), "sessions")); n != 1345 {
		t.Fatalf("%d records left after a cancelled cleanup, want 1345", n)
	}
	if n, err := s.DeleteAllExpiredSessions(bg); n != 1345 || err != nil {
		t.Fatalf("DeleteAllExpiredSessions after the cancelled one = %d, %v; want 1345, nil", n, err)
	}
}

// TestSecondOpenInProcess: bbolt's lock is per open file, so a second Open
// of the same file in this process is refused like another process's.
func TestSecondOpenInProcess(t *testing.T) {
	_, path := openTemp(t)
	s, err := boltstore.Open(path, boltstore.WithTimeout(100*time.Millisecond))
	if s != nil {
		s.Close()
	}
	if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second Open of %s = %v; want ErrLocked naming the file", path, err)
	}
}

// TestIDsBboltCannotHold: bbolt keys are at most 32 KiB and never empty. A
// user ID too long for the users index is refused with
// narvik.ErrInvalidUserID, a session ID that is empty or too long with
// narvik.ErrInvalidSessionID; nothing is stored, and reads and deletes of
// them find nothing. (bbolt's own ErrKeyTooLarge used to come out instead.)
func TestIDsBboltCannotHold(t *testing.T) {
	s, _ := openTemp(t)
	long := strings.Repeat("u", bolt.MaxKeySize)
	r := record(long, time.Hour)
	if err := s.SaveSession(bg, r); !errors.Is(err, narvik.ErrInvalidUserID) {
		t.Fatalf("SaveSession for a %d-byte user ID = %v; want narvik.ErrInvalidUserID", len(long), err)
	}
	if got, err := s.FetchSessionsForUser(bg, long); err != nil || len(got) != 0 {
		t.Fatalf("FetchSessionsForUser(long) = %d, %v", len(got), err)
	}
	if err := s.DeleteSessionsForUser(bg, long); err != nil {
		t.Fatalf("DeleteSessionsForUser(long) = %v", err)
	}
	for _, id := range []string{"", strings.Repeat("s", bolt.MaxKeySize)} {
		w := record("u", time.Hour)
		w.ID = id
		if err := s.SaveSession(bg, w); !errors.Is(err, narvik.ErrInvalidSessionID) {
			t.Fatalf("SaveSession of a %d-byte session ID = %v; want narvik.ErrInvalidSessionID", len(id), err)
		}
		if _, err := s.FetchSession(bg, id); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatalf("FetchSession of a %d-byte session ID = %v; want ErrSessionNotFound", len(id), err)
		}
		if err := s.DeleteSession(bg, id); err != nil {
			t.Fatalf("DeleteSession of a %d-byte session ID = %v", len(id), err)
		}
	}
	for _, b := range []string{"sessions", "users", "expiry"} {
		if n := len(raw(t, s.DB(), b)); n != 0 {
			t.Fatalf("the %s bucket holds %d entries after refused saves", b, n)
		}
	}
}
