package memstore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) narvik.SessionStore { return memstore.New() })
}

func BenchmarkConformance(b *testing.B) {
	conformance.Benchmark(b, func(b *testing.B) narvik.SessionStore { return memstore.New() })
}

func BenchmarkScale(b *testing.B) {
	conformance.BenchmarkScale(b, func(b *testing.B) narvik.SessionStore { return memstore.New() }, 1000, 100000)
}
