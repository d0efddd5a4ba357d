package sqlitestore

import (
	"path/filepath"
	"testing"
)

// newTestStore returns a store on a new database file in the test's
// temporary folder, closed when the test ends.
func newTestStore(t testing.TB, opts ...Option) *Store {
	t.Helper()
	return newTestStoreAt(t, filepath.Join(t.TempDir(), "sessions.db"), opts...)
}

// newTestStoreAt opens the database at path, closed when the test ends.
func newTestStoreAt(t testing.TB, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}
