package dualstore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/dualstore"
	"github.com/narvik-go/narvik/drivers/memstore"
)

func newStore(tb testing.TB) narvik.SessionStore {
	s, err := dualstore.New(memstore.New(), memstore.New())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) { conformance.Run(t, newStore) }

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, newStore) }
