package conformance_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// flawEnv names the flaw the re-executed test binary gives its store.
const flawEnv = "NARVIK_CONFORMANCE_FLAW"

// TestSuite runs the suite on a small map-based store. Run normally, the store
// is correct and the suite must pass; re-executed by
// TestSuiteCatchesFlawedStores, the store has one flaw and the suite must fail.
func TestSuite(t *testing.T) {
	flaw := os.Getenv(flawEnv)
	conformance.Run(t, func(t *testing.T) narvik.SessionStore { return &mapStore{flaw: flaw, m: map[string]narvik.Record{}} })
}

// TestSuiteCatchesFlawedStores proves the suite can fail: for each flaw seen
// in real session stores, the suite must fail in the subtest named.
func TestSuiteCatchesFlawedStores(t *testing.T) {
	for flaw, wantFail := range map[string]string{
		"upsert-update":   "Update/Missing",
		"shows-expired":   "Fetch/ExpiredButPresent",
		"upsert-save":     "Save/Duplicate",
		"aliases-data":    "Aliasing/SavedData",
		"silent-zero":     "Expired/DeleteAllExpired",
		"ignores-context": "Context/Cancelled",
		"prefix-users":    "User/List",
		"drops-millis":    "Record/RoundTrip",
	} {
		t.Run(flaw, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuite$/^"+strings.ReplaceAll(wantFail, "/", "$/^")+"$", "-test.v")
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

// mapStore is a deliberately simple store with an optional flaw.
type mapStore struct {
	flaw string
	mu   sync.Mutex
	m    map[string]narvik.Record
}

func (s *mapStore) check(ctx context.Context) error {
	if s.flaw == "ignores-context" {
		return nil
	}
	return ctx.Err()
}

func (s *mapStore) live(r narvik.Record) bool {
	return s.flaw == "shows-expired" || time.Now().Before(r.ExpiresAt)
}

func (s *mapStore) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[r.ID]; ok && s.flaw != "upsert-save" {
		return narvik.ErrDuplicateSession
	}
	if s.flaw != "aliases-data" {
		r.Data = append([]byte(nil), r.Data...)
	}
	if s.flaw == "drops-millis" {
		r.CreatedAt = r.CreatedAt.Truncate(time.Second)
	}
	s.m[r.ID] = r
	return nil
}

func (s *mapStore) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := s.check(ctx); err != nil {
		return narvik.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[id]
	if !ok || !s.live(r) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	r.Data = append([]byte(nil), r.Data...)
	return r, nil
}

func (s *mapStore) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[id]
	if (!ok || !s.live(r)) && s.flaw != "upsert-update" {
		return narvik.ErrSessionNotFound
	}
	r.ID, r.ExpiresAt = id, expiresAt
	s.m[id] = r
	return nil
}

func (s *mapStore) DeleteSession(ctx context.Context, id string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
	return nil
}

func (s *mapStore) mine(r narvik.Record, userID string) bool {
	if s.flaw == "prefix-users" {
		return strings.HasPrefix(r.UserID, userID)
	}
	return r.UserID == userID
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
			r.Data = append([]byte(nil), r.Data...)
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
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.m {
		if !time.Now().Before(r.ExpiresAt) {
			delete(s.m, id)
			n++
		}
	}
	if s.flaw == "silent-zero" {
		return 0, nil
	}
	return n, nil
}
