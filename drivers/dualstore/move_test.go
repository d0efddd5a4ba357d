package dualstore_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dualstore"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

var bg = context.Background()

func record(token, user string) narvik.Record {
	now := time.Now().Truncate(time.Millisecond)
	return narvik.Record{
		ID:        narvik.SessionIDFromToken(token),
		UserID:    user,
		CreatedAt: now.Add(-time.Hour),
		ExpiresAt: now.Add(time.Hour),
		Data:      []byte(`{"device":"` + token + `"}`),
	}
}

// hooked passes calls to a store and lets a test act at chosen moments. It
// also logs the deletions of every hooked store into one shared log.
type hooked struct {
	*memstore.Store
	name string
	log  *callLog
	// afterFetch, when set, runs after the n-th FetchSession of an ID (n
	// counts from 1) and before that call returns.
	afterFetch func(id string, n int)
	// afterDelete, when set, runs after each DeleteSession.
	afterDelete func(id string)
	mu          sync.Mutex
	fetches     map[string]int
}

type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(s string) {
	l.mu.Lock()
	l.calls = append(l.calls, s)
	l.mu.Unlock()
}

func (l *callLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.calls)
}

func newHooked(name string, log *callLog) *hooked {
	return &hooked{Store: memstore.New(), name: name, log: log, fetches: map[string]int{}}
}

func (h *hooked) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	r, err := h.Store.FetchSession(ctx, id)
	h.mu.Lock()
	h.fetches[id]++
	n := h.fetches[id]
	h.mu.Unlock()
	if h.afterFetch != nil {
		h.afterFetch(id, n)
	}
	return r, err
}

func (h *hooked) DeleteSession(ctx context.Context, id string) error {
	h.log.add(h.name + ".DeleteSession")
	err := h.Store.DeleteSession(ctx, id)
	if h.afterDelete != nil {
		h.afterDelete(id)
	}
	return err
}

func (h *hooked) DeleteSessionsForUser(ctx context.Context, userID string) error {
	h.log.add(h.name + ".DeleteSessionsForUser")
	return h.Store.DeleteSessionsForUser(ctx, userID)
}

func newDual(t *testing.T, old, new narvik.SessionStore) *dualstore.Store {
	t.Helper()
	s, err := dualstore.New(old, new)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func has(t *testing.T, s narvik.SessionStore, id string) bool {
	t.Helper()
	_, err := s.FetchSession(bg, id)
	if err != nil && !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

func save(t *testing.T, s narvik.SessionStore, rs ...narvik.Record) {
	t.Helper()
	for _, r := range rs {
		if err := s.SaveSession(bg, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewRefusesBadInput(t *testing.T) {
	m := memstore.New()
	for _, c := range []struct {
		old, new narvik.SessionStore
		want     error
	}{
		{nil, m, narvik.ErrNilStore},
		{m, nil, narvik.ErrNilStore},
		{m, m, narvik.ErrInvalidOption},
	} {
		if _, err := dualstore.New(c.old, c.new); !errors.Is(err, c.want) {
			t.Errorf("New(%v, %v) = %v, want %v", c.old, c.new, err, c.want)
		}
	}
}

func TestWritesGoToTheNewStore(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	r := record("fresh", "alice")
	save(t, s, r)
	if !has(t, new, r.ID) || has(t, old, r.ID) {
		t.Fatal("SaveSession did not write to the new store alone")
	}
}

func TestReadMovesFromTheOldStore(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	r := record("before-the-switch", "alice")
	save(t, old, r)
	got, err := s.FetchSession(bg, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != r.UserID || !got.ExpiresAt.Equal(r.ExpiresAt) || !got.CreatedAt.Equal(r.CreatedAt) || string(got.Data) != string(r.Data) {
		t.Fatalf("read %+v, want %+v", got, r)
	}
	moved, err := new.FetchSession(bg, r.ID)
	if err != nil {
		t.Fatalf("the session was not moved to the new store: %v", err)
	}
	if string(moved.Data) != string(r.Data) || !moved.CreatedAt.Equal(r.CreatedAt) {
		t.Fatalf("moved as %+v, want %+v", moved, r)
	}
	if !has(t, old, r.ID) {
		t.Fatal("the move removed the session from the old store; it must stay there, for other processes")
	}
	if _, err := s.FetchSession(bg, "unknown"); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("unknown session: %v", err)
	}
}

func TestStoreErrorsFailClosed(t *testing.T) {
	for _, broken := range []string{"old", "new"} {
		t.Run(broken, func(t *testing.T) {
			old, new := testkit.Wrap(memstore.New()), testkit.Wrap(memstore.New())
			s := newDual(t, old, new)
			r := record("in-old", "alice")
			save(t, old, r)
			map[string]*testkit.Store{"old": old, "new": new}[broken].Fail(true)
			if _, err := s.FetchSession(bg, r.ID); !errors.Is(err, testkit.ErrDown) {
				t.Fatalf("FetchSession with the %s store down = %v, want its error (never not-found, never a session)", broken, err)
			}
			if err := s.UpdateSessionExpiry(bg, r.ID, time.Now().Add(2*time.Hour)); !errors.Is(err, testkit.ErrDown) {
				t.Fatalf("UpdateSessionExpiry with the %s store down = %v", broken, err)
			}
			if err := s.DeleteSession(bg, r.ID); !errors.Is(err, testkit.ErrDown) {
				t.Fatalf("DeleteSession with the %s store down = %v", broken, err)
			}
			if _, err := s.FetchSessionsForUser(bg, "alice"); !errors.Is(err, testkit.ErrDown) {
				t.Fatalf("FetchSessionsForUser with the %s store down = %v", broken, err)
			}
		})
	}
}

// signOutElsewhere deletes id from old then new directly, as another
// process's dual store does, bypassing this process's locks.
func signOutElsewhere(t *testing.T, old, new narvik.SessionStore, id string) {
	if err := old.DeleteSession(bg, id); err != nil {
		t.Error(err)
	}
	if err := new.DeleteSession(bg, id); err != nil {
		t.Error(err)
	}
}

func TestMoveRacingASignOutElsewhere(t *testing.T) {
	// Another process signs the session out after this read found it in
	// the old store and before the copy is written: the copy must not
	// bring it back.
	for _, op := range []string{"FetchSession", "UpdateSessionExpiry"} {
		t.Run(op, func(t *testing.T) {
			log := &callLog{}
			old, new := newHooked("old", log), memstore.New()
			s := newDual(t, old, new)
			r := record("racing", "alice")
			save(t, old, r)
			old.afterFetch = func(id string, n int) {
				if n == 1 {
					signOutElsewhere(t, old.Store, new, id)
				}
			}
			var err error
			if op == "FetchSession" {
				_, err = s.FetchSession(bg, r.ID)
			} else {
				err = s.UpdateSessionExpiry(bg, r.ID, time.Now().Add(2*time.Hour))
			}
			if !errors.Is(err, narvik.ErrSessionNotFound) {
				t.Fatalf("%s of a session signed out during its move = %v, want not found", op, err)
			}
			if has(t, new, r.ID) || has(t, old, r.ID) {
				t.Fatal("the session signed out during its move is back in a store")
			}
		})
	}
}

// blockedIn reports whether some goroutine is blocked in frame, waiting on
// a lock: the state a test waits for without sleeping.
func blockedIn(frame, wait string) bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, frame) && strings.Contains(g, wait) {
			return true
		}
	}
	return false
}

func TestNoReadSeesAnUncheckedCopy(t *testing.T) {
	// A move has written its copy of a session that was signed out
	// elsewhere a moment before, and is checking the old store. A read of
	// the same session in this process must wait for the check and then
	// find nothing, not return the copy.
	log := &callLog{}
	old, new := newHooked("old", log), memstore.New()
	s := newDual(t, old, new)
	r := record("unchecked", "alice")
	save(t, old, r)
	checking, release := make(chan struct{}), make(chan struct{})
	old.afterFetch = func(id string, n int) {
		switch n {
		case 1: // the move's read: the sign-out happens elsewhere now
			signOutElsewhere(t, old.Store, new, id)
		case 2: // the move's check, after the copy was written
			close(checking)
			<-release
		}
	}
	moved := make(chan error, 1)
	go func() {
		_, err := s.FetchSession(bg, r.ID)
		moved <- err
	}()
	<-checking
	if !has(t, new, r.ID) {
		t.Fatal("test setup: the copy is not in the new store during the check")
	}
	read := make(chan error, 1)
	go func() {
		_, err := s.FetchSession(bg, r.ID)
		read <- err
	}()
	var early error
	finished := false
	waited := testkit.WaitFor(10*time.Second, func() bool {
		select {
		case early = <-read:
			finished = true
			return true
		default:
			return blockedIn("dualstore.(*Store).FetchSession", "RLock")
		}
	})
	if !waited {
		t.Fatal("the second read neither finished nor waited for the session's lock")
	}
	if finished && early == nil {
		t.Fatal("a read returned the copy of a signed-out session before the move checked it")
	}
	close(release)
	if err := <-moved; !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("the move = %v, want not found", err)
	}
	if !finished {
		early = <-read
	}
	if !errors.Is(early, narvik.ErrSessionNotFound) {
		t.Fatalf("the read that waited = %v, want not found", early)
	}
	if has(t, new, r.ID) {
		t.Fatal("the copy of the signed-out session stayed in the new store")
	}
}

func TestUpdateOfASessionOnlyInTheOldStore(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	r := record("extend-me", "alice")
	save(t, old, r)
	later := r.ExpiresAt.Add(24 * time.Hour)
	if err := s.UpdateSessionExpiry(bg, r.ID, later); err != nil {
		t.Fatal(err)
	}
	got, err := new.FetchSession(bg, r.ID)
	if err != nil || !got.ExpiresAt.Equal(later) {
		t.Fatalf("new store holds %+v, %v; want the session moved and extended to %v", got, err, later)
	}
	if got, _ := s.FetchSession(bg, r.ID); !got.ExpiresAt.Equal(later) {
		t.Fatalf("read after the update gives expiry %v, want %v", got.ExpiresAt, later)
	}
	// A missing session is created in neither store.
	missing := record("missing", "alice")
	if err := s.UpdateSessionExpiry(bg, missing.ID, later); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("update of a missing session = %v", err)
	}
	if has(t, new, missing.ID) || has(t, old, missing.ID) {
		t.Fatal("an update created a session")
	}
}

func TestSignOutsActOnBothStoresOldFirst(t *testing.T) {
	log := &callLog{}
	old, new := newHooked("old", log), newHooked("new", log)
	s := newDual(t, old, new)
	a, b, c := record("a", "alice"), record("b", "alice"), record("c", "alice")
	save(t, old, a, b)
	save(t, new, b, c)

	if err := s.DeleteSession(bg, b.ID); err != nil {
		t.Fatal(err)
	}
	if has(t, old, b.ID) || has(t, new, b.ID) {
		t.Fatal("DeleteSession left the session in a store")
	}
	if err := s.DeleteSessionsForUser(bg, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, r := range []narvik.Record{a, c} {
		if has(t, old, r.ID) || has(t, new, r.ID) {
			t.Fatal("DeleteSessionsForUser left a session in a store")
		}
	}
	want := []string{"old.DeleteSession", "new.DeleteSession", "old.DeleteSessionsForUser", "new.DeleteSessionsForUser"}
	if got := log.get(); !slices.Equal(got, want) {
		t.Fatalf("deletions ran as %v, want %v: the old store first, so that a racing move finds the session gone", got, want)
	}
}

func TestListingMergesBothStores(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	onlyOld, onlyNew, both := record("only-old", "alice"), record("only-new", "alice"), record("both", "alice")
	extended := both
	extended.ExpiresAt = both.ExpiresAt.Add(time.Hour)
	save(t, old, onlyOld, both, record("bob's", "bob"))
	save(t, new, onlyNew, extended)
	got, err := s.FetchSessionsForUser(bg, "alice")
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]narvik.Record{}
	for _, r := range got {
		if _, dup := byID[r.ID]; dup {
			t.Fatalf("session %.12s listed twice", r.ID)
		}
		byID[r.ID] = r
	}
	if len(byID) != 3 || byID[onlyOld.ID].ID == "" || byID[onlyNew.ID].ID == "" {
		t.Fatalf("listed %d sessions, want alice's 3 from both stores", len(byID))
	}
	if !byID[both.ID].ExpiresAt.Equal(extended.ExpiresAt) {
		t.Fatal("a session in both stores was listed with the old store's expiry, not the new store's")
	}
}

func TestDeleteAllExpiredSessionsCountsBoth(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	for i := range 5 {
		r := record(fmt.Sprint("expired-", i), "alice")
		r.ExpiresAt = time.Now().Add(-time.Second)
		if i < 2 {
			save(t, old, r)
		} else {
			save(t, new, r)
		}
	}
	n, err := s.DeleteAllExpiredSessions(bg)
	if err != nil || n != 5 {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 5", n, err)
	}
}

func TestMigrateUnderLocks(t *testing.T) {
	old, new := memstore.New(), memstore.New()
	s := newDual(t, old, new)
	var want []narvik.Record
	for i := range 300 {
		r := record(fmt.Sprint("m-", i), fmt.Sprint("user-", i%7))
		want = append(want, r)
	}
	save(t, old, want...)
	// One already moved by a read.
	if _, err := s.FetchSession(bg, want[0].ID); err != nil {
		t.Fatal(err)
	}
	st, err := s.Migrate(bg, narvik.WithMigrateWorkers(4))
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied != 299 || st.Existing != 1 {
		t.Fatalf("stats %+v, want 299 copied and 1 existing", st)
	}
	for _, r := range want {
		if !has(t, new, r.ID) {
			t.Fatalf("session %.12s not moved", r.ID)
		}
	}
	if st, err := s.Migrate(bg); err != nil || st.Copied != 0 || st.Existing != 300 {
		t.Fatalf("second Migrate = %+v, %v; want 0 copied, 300 existing", st, err)
	}
}

func TestMigrateUnderLocksUndoesSignedOutCopies(t *testing.T) {
	old, new := newHooked("old", &callLog{}), memstore.New()
	doomed, kept := record("doomed", "alice"), record("kept", "alice")
	save(t, old, doomed, kept)
	// The walk has read doomed; it is signed out elsewhere before its copy.
	s := newDual(t, &signOutBeforeCopy{hooked: old, new: new, id: doomed.ID, t: t}, new)
	st, err := s.Migrate(bg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Revoked != 1 || st.Copied != 1 || has(t, new, doomed.ID) || !has(t, new, kept.ID) {
		t.Fatalf("stats %+v; the signed-out session must not be in the new store, the other must", st)
	}
}

// signOutBeforeCopy is an old store whose walk signs session id out
// elsewhere right after yielding it.
type signOutBeforeCopy struct {
	*hooked
	new narvik.SessionStore
	id  string
	t   *testing.T
}

func (s *signOutBeforeCopy) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		for r, err := range s.hooked.AllSessions(ctx) {
			if err == nil && r.ID == s.id {
				signOutElsewhere(s.t, s.hooked.Store, s.new, r.ID)
			}
			if !yield(r, err) {
				return
			}
		}
	}
}

func TestSignOutBetweenProcesses(t *testing.T) {
	// Two processes, each with its own dual store (and locks) over the same
	// two stores. Process B reads the session while process A's sign-out
	// is between its two deletions: whatever B does, the session must end
	// up in neither store.
	log := &callLog{}
	old, new := newHooked("old", log), newHooked("new", log)
	a, b := newDual(t, old, new), newDual(t, old, new)
	r := record("two-processes", "alice")
	save(t, old, r)
	var once sync.Once
	between := func(id string) {
		once.Do(func() {
			if _, err := b.FetchSession(bg, id); err != nil && !errors.Is(err, narvik.ErrSessionNotFound) {
				t.Error(err)
			}
		})
	}
	old.afterDelete, new.afterDelete = between, between
	if err := a.DeleteSession(bg, r.ID); err != nil {
		t.Fatal(err)
	}
	if has(t, old, r.ID) || has(t, new, r.ID) {
		t.Fatal("a session signed out in one process while another read it is back in a store")
	}
	if _, err := b.FetchSession(bg, r.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("the other process reads the signed-out session: %v", err)
	}
}
