package narvik_test

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// stubStore is narvik's defaultSessionFunctions: every callback the test does
// not set fails the test when called, so a test also proves which store calls
// the core makes.
type stubStore struct {
	t                *testing.T
	save             func(narvik.Record) error
	fetch            func(id string) (narvik.Record, error)
	update           func(id string, expiresAt time.Time) error
	deleteOne        func(id string) error
	fetchForUser     func(userID string) ([]narvik.Record, error)
	deleteForUser    func(userID string) error
	deleteAllExpired func() (int, error)
}

func (s *stubStore) unexpected(name string) {
	s.t.Helper()
	s.t.Fatalf("store.%s called; function not expected", name)
}

func (s *stubStore) SaveSession(_ context.Context, r narvik.Record) error {
	if s.save == nil {
		s.unexpected("SaveSession")
	}
	return s.save(r)
}

func (s *stubStore) FetchSession(_ context.Context, id string) (narvik.Record, error) {
	if s.fetch == nil {
		s.unexpected("FetchSession")
	}
	return s.fetch(id)
}

func (s *stubStore) UpdateSessionExpiry(_ context.Context, id string, expiresAt time.Time) error {
	if s.update == nil {
		s.unexpected("UpdateSessionExpiry")
	}
	return s.update(id, expiresAt)
}

func (s *stubStore) DeleteSession(_ context.Context, id string) error {
	if s.deleteOne == nil {
		s.unexpected("DeleteSession")
	}
	return s.deleteOne(id)
}

func (s *stubStore) FetchSessionsForUser(_ context.Context, userID string) ([]narvik.Record, error) {
	if s.fetchForUser == nil {
		s.unexpected("FetchSessionsForUser")
	}
	return s.fetchForUser(userID)
}

func (s *stubStore) DeleteSessionsForUser(_ context.Context, userID string) error {
	if s.deleteForUser == nil {
		s.unexpected("DeleteSessionsForUser")
	}
	return s.deleteForUser(userID)
}

func (s *stubStore) DeleteAllExpiredSessions(context.Context) (int, error) {
	if s.deleteAllExpired == nil {
		s.unexpected("DeleteAllExpiredSessions")
	}
	return s.deleteAllExpired()
}

// extra is the session data of narvik's sessions-extended tests.
type extra struct {
	CustomField string `json:"customField,omitempty"`
}

func mustNew[D any](t *testing.T, s narvik.SessionStore, opts ...narvik.Option) *narvik.Narvik[D] {
	t.Helper()
	n, err := narvik.New[D](s, opts...)
	if err != nil {
		t.Fatalf("narvik.New: %v", err)
	}
	return n
}

// within reports whether d lies in (want-10s, want], narvik's test window.
func within(d, want time.Duration) bool { return d > want-10*time.Second && d <= want }

const day = 24 * time.Hour

// validToken is a well-formed token (32 characters of [a-z2-7]).
const validToken = "abcdefghijklmnopqrstuvwxyz234567"
