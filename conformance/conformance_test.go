package conformance_test

import (
	"context"
	"errors"
	"iter"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/testkit"
)

// flawEnv names the flaw the re-executed test binary gives its store.
const flawEnv = "NARVIK_CONFORMANCE_FLAW"

// TestSuite runs the suite on a small map-based store. Run normally, the store
// is correct and the suite must pass; re-executed by
// TestSuiteCatchesFlawedStores, the store has one flaw and the suite must fail.
func TestSuite(t *testing.T) {
	flaw := os.Getenv(flawEnv)
	conformance.Run(t, func(tb testing.TB) narvik.SessionStore { return &mapStore{flaw: flaw, m: map[string]narvik.Record{}} })
}

// TestSuiteCatchesFlawedStores proves the suite can fail: for each flaw seen
// in real session stores, the suite must fail in the subtest named.
func TestSuiteCatchesFlawedStores(t *testing.T) {
	for flaw, wantFail := range map[string]string{
		"upsert-update":         "Update/Missing",
		"shows-expired":         "Fetch/ExpiredButPresent",
		"upsert-save":           "Save/Duplicate",
		"modifies-data":         "Data/NotModified",
		"silent-zero":           "Expired/DeleteAllExpired",
		"hides-context":         "Context/Cancelled",
		"prefix-users":          "User/List",
		"drops-millis":          "Record/RoundTrip",
		"folds-case":            "Identity/UserIDsAreExact",
		"trims-spaces":          "Identity/UserIDsAreExact",
		"replaces-invalid-utf8": "Identity/InvalidUTF8UserIDs",
		"folds-session-case":    "Identity/SessionIDsAreExact",
		"double-counts-sweeps":  "Concurrency/Sweeps",
		"native-undeclared":     "Declared",
		"walks-twice":           "Walk/Everything",
		"walks-expired":         "Walk/Everything",
	} {
		t.Run(flaw, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuite$/^"+strings.ReplaceAll(wantFail, "/", "$/^")+"$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), flawEnv+"="+flaw)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store that %s; output:\n%s", flaw, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestSuite/"+wantFail) {
				t.Fatalf("want a failure in %s; output:\n%s", wantFail, out)
			}
		})
	}
}

// mapStore is a deliberately simple store with an optional flaw, each one a
// bug seen in real session stores or databases.
type mapStore struct {
	flaw     string
	mu       sync.Mutex
	m        map[string]narvik.Record
	sweepers atomic.Int32
}

func (s *mapStore) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		if s.flaw == "hides-context" {
			return errors.New("use of closed network connection") // the cause is lost
		}
		return err
	}
	return nil
}

func (s *mapStore) live(r narvik.Record) bool {
	return s.flaw == "shows-expired" || time.Now().Before(r.ExpiresAt)
}

// user is how the flawed store keeps and compares user IDs.
func (s *mapStore) user(id string) string {
	switch s.flaw {
	case "folds-case": // a case-insensitive collation
		return strings.ToLower(id)
	case "trims-spaces": // a CHAR column that pads and trims
		return strings.TrimSpace(id)
	case "replaces-invalid-utf8": // a text wire protocol
		return strings.ToValidUTF8(id, "\uFFFD")
	}
	return id
}

// key is how the flawed store keeps session IDs.
func (s *mapStore) key(id string) string {
	if s.flaw == "folds-session-case" {
		return strings.ToLower(id)
	}
	return id
}

func (s *mapStore) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[s.key(r.ID)]; ok && s.flaw != "upsert-save" {
		return narvik.ErrDuplicateSession
	}
	if s.flaw == "drops-millis" {
		r.CreatedAt = r.CreatedAt.Truncate(time.Second)
	}
	r.UserID = s.user(r.UserID)
	s.m[s.key(r.ID)] = r
	return nil
}

func (s *mapStore) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := s.check(ctx); err != nil {
		return narvik.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[s.key(id)]
	if !ok || !s.live(r) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	if s.flaw == "modifies-data" && len(r.Data) > 0 {
		r.Data[0] ^= 0xff // "decodes in place"
	}
	return r, nil
}

func (s *mapStore) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[s.key(id)]
	if (!ok || !s.live(r)) && s.flaw != "upsert-update" {
		return narvik.ErrSessionNotFound
	}
	r.ID, r.ExpiresAt = id, expiresAt
	s.m[s.key(id)] = r
	return nil
}

func (s *mapStore) DeleteSession(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, s.key(id))
	return nil
}

func (s *mapStore) mine(r narvik.Record, userID string) bool {
	if s.flaw == "prefix-users" {
		return strings.HasPrefix(r.UserID, userID)
	}
	return r.UserID == s.user(userID)
}

func (s *mapStore) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []narvik.Record
	for _, r := range s.m {
		if s.mine(r, userID) && s.live(r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *mapStore) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.m {
		if s.mine(r, userID) {
			delete(s.m, id)
		}
	}
	return nil
}

func (s *mapStore) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	// Find, then delete, as a store without transactions does; the flawed
	// store counts what it found rather than what it deleted itself.
	s.mu.Lock()
	var due []string
	for id, r := range s.m {
		if !time.Now().Before(r.ExpiresAt) {
			due = append(due, id)
		}
	}
	s.mu.Unlock()
	if s.flaw == "double-counts-sweeps" {
		// Wait until another sweeper has found the same records, so that the
		// flaw shows every time: both will count them.
		s.sweepers.Add(1)
		testkit.WaitFor(5*time.Second, func() bool { return s.sweepers.Load() >= 2 })
	}
	n := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range due {
		if _, ok := s.m[id]; ok || s.flaw == "double-counts-sweeps" {
			delete(s.m, id)
			n++
		}
	}
	if s.flaw == "silent-zero" {
		return 0, nil
	}
	return n, nil
}

// ExpiresNatively is true only for the flaw that does not declare it.
func (s *mapStore) ExpiresNatively() bool { return s.flaw == "native-undeclared" }

// AllSessions walks a snapshot of the map.
func (s *mapStore) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(narvik.Record{}, err)
			return
		}
		s.mu.Lock()
		var all []narvik.Record
		for _, r := range s.m {
			if s.live(r) || s.flaw == "walks-expired" {
				all = append(all, r)
			}
		}
		s.mu.Unlock()
		if s.flaw == "walks-twice" && len(all) > 0 {
			all = append(all, all[0])
		}
		for _, r := range all {
			if !yield(r, nil) {
				return
			}
		}
	}
}
