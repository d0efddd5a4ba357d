package memstore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

func newStore(testing.TB) narvik.SessionStore { return memstore.New() }

func TestConformance(t *testing.T) { conformance.Run(t, newStore) }

func BenchmarkConformance(b *testing.B) { conformance.Benchmark(b, newStore) }

func BenchmarkScale(b *testing.B) { conformance.BenchmarkScale(b, newStore, 1000, 100000) }
