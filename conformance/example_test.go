package conformance_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// A driver's whole conformance test. Copy the function into a _test.go file
// of your driver's package as func TestConformance(t *testing.T), and return
// a new, empty store of yours from the NewStore function: a fresh key
// prefix, table or file per call, removed with tb.Cleanup. An Example cannot
// be given a *testing.T, so this one is compiled and not run; memstore's own
// test runs the same lines.
func ExampleRun() {
	testConformance := func(t *testing.T) {
		conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
			return memstore.New() // your store here
		})
	}
	_ = testConformance
}

// Benchmarks take the same NewStore function.
func ExampleBenchmark() {
	benchmarkStore := func(b *testing.B) {
		conformance.Benchmark(b, func(tb testing.TB) narvik.SessionStore {
			return memstore.New() // your store here
		})
	}
	_ = benchmarkStore
}
