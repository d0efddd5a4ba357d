package boltstore_test

import (
	"path/filepath"
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/boltstore"
)

// openTemp opens a store on a new file in a temporary directory and closes
// it when the test ends.
func openTemp(t testing.TB, opts ...boltstore.Option) (*boltstore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := boltstore.Open(path, opts...)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

// TestConformance runs the shared store suite, each subtest on its own file.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) narvik.SessionStore {
		s, _ := openTemp(t)
		return s
	})
}

// BenchmarkConformance runs the shared benchmarks through narvik.New.
// Compare ValidateHit with BenchmarkBaseline.
func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, func(b *testing.B) narvik.SessionStore {
		s, _ := openTemp(b)
		return s
	})
}
