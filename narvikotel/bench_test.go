package narvikotel_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikotel"
)

// BenchmarkValidateHit measures what the instrumentation adds to the
// cheapest operation there is, a validation of a live session over
// memstore, compared in one run with the same Narvik without it:
//
//	none                  no observer: the core's own cost
//	observer/unset        Observer on the global providers, never set (an application that does not configure OpenTelemetry)
//	observer/noop         Observer on the no-op providers
//	observer/sdk-metrics  Observer on the SDK's metrics, the no-op tracer
//	observer/sdk          Observer on the SDK: metrics and a sampled span per operation
//	observer+store/noop   Observer and WrapStore on the no-op providers
//	observer+store/sdk    Observer and WrapStore on the SDK, metrics and spans
//
// On a shared, loaded machine separate benchmarks cannot be compared:
// docs/benchmarks.md ("Observability") has numbers from
// scripts/bench-observer.sh, which interleaves the same configurations in
// one process and reads thread CPU time. This benchmark is for profiling.
func BenchmarkValidateHit(b *testing.B) {
	noopOpts := []narvikotel.Option{
		narvikotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		narvikotel.WithTracerProvider(tracenoop.NewTracerProvider()),
	}
	sdk := func(b *testing.B, traced bool) []narvikotel.Option {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		var tp *sdktrace.TracerProvider
		if traced {
			// Sampled spans, handed to an exporter that drops them: the
			// SDK's cost without an exporter's.
			tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
		} else {
			return []narvikotel.Option{narvikotel.WithMeterProvider(mp), narvikotel.WithTracerProvider(tracenoop.NewTracerProvider())}
		}
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		return []narvikotel.Option{narvikotel.WithMeterProvider(mp), narvikotel.WithTracerProvider(tp)}
	}
	for _, bc := range []struct {
		name     string
		opts     func(b *testing.B) []narvikotel.Option // nil: no observer
		observer bool
		store    bool
	}{
		{"none", nil, false, false},
		{"observer/unset", func(*testing.B) []narvikotel.Option { return nil }, true, false},
		{"observer/noop", func(*testing.B) []narvikotel.Option { return noopOpts }, true, false},
		{"observer/sdk-metrics", func(b *testing.B) []narvikotel.Option { return sdk(b, false) }, true, false},
		{"observer/sdk", func(b *testing.B) []narvikotel.Option { return sdk(b, true) }, true, false},
		{"observer+store/noop", func(*testing.B) []narvikotel.Option { return noopOpts }, true, true},
		{"observer+store/sdk", func(b *testing.B) []narvikotel.Option { return sdk(b, true) }, true, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var store narvik.SessionStore = memstore.New()
			var nopts []narvik.Option
			if bc.observer {
				opts := bc.opts(b)
				obs, err := narvikotel.NewObserver(opts...)
				if err != nil {
					b.Fatal(err)
				}
				nopts = append(nopts, narvik.WithObserver(obs))
				if bc.store {
					if store, err = narvikotel.WrapStore(store, opts...); err != nil {
						b.Fatal(err)
					}
				}
			}
			n, err := narvik.New[struct{}](store, nopts...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			res, err := n.CreateSession(ctx, "bench", struct{}{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if s, err := n.ValidateSession(ctx, res.Token); s == nil || err != nil {
					b.Fatalf("ValidateSession = %v, %v", s, err)
				}
			}
		})
	}
}

// TestNoopAddsNoAllocations pins what BenchmarkValidateHit shows: the
// Observer and WrapStore on the no-op providers allocate nothing beyond
// what the same validation allocates without them.
func TestNoopAddsNoAllocations(t *testing.T) {
	opts := []narvikotel.Option{
		narvikotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		narvikotel.WithTracerProvider(tracenoop.NewTracerProvider()),
	}
	allocs := func(store narvik.SessionStore, nopts ...narvik.Option) float64 {
		n, err := narvik.New[struct{}](store, nopts...)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		res, err := n.CreateSession(ctx, "u", struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(1000, func() {
			if s, err := n.ValidateSession(ctx, res.Token); s == nil || err != nil {
				t.Fatalf("ValidateSession = %v, %v", s, err)
			}
		})
	}
	obs, err := narvikotel.NewObserver(opts...)
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := narvikotel.WrapStore(memstore.New(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	base := allocs(memstore.New())
	if got := allocs(wrapped, narvik.WithObserver(obs)); got != base {
		t.Errorf("ValidateSession with the Observer and WrapStore on no-op providers: %v allocations, %v without", got, base)
	}
}
