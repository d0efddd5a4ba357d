package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/narvikotel"
)

// metrics is what -metrics-addr turns on: narvik's OpenTelemetry metrics
// (narvikotel's Observer and store wrapper), exported in the Prometheus
// text format by the handler.
type metrics struct {
	provider *sdkmetric.MeterProvider
	observer *narvikotel.Observer
	opts     []narvikotel.Option
	handler  http.Handler
}

func newMetrics() (*metrics, error) {
	// A registry of its own, not Prometheus' global one: the page shows
	// narvik's metrics and nothing a dependency registered on the side.
	reg := prometheus.NewRegistry()
	// One instrumentation scope only, so no otel_scope_* label on every
	// series.
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName("narvik-webapp")))
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))
	// The demo exports no traces: the no-op tracer makes the Observer
	// start no spans at all.
	opts := []narvikotel.Option{narvikotel.WithMeterProvider(provider), narvikotel.WithTracerProvider(noop.NewTracerProvider())}
	observer, err := narvikotel.NewObserver(opts...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return &metrics{provider: provider, observer: observer, opts: opts, handler: mux}, nil
}

// wrap instruments the store's calls.
func (m *metrics) wrap(s narvik.SessionStore) (narvik.SessionStore, error) {
	return narvikotel.WrapStore(s, m.opts...)
}

// close stops the meter provider.
func (m *metrics) close(ctx context.Context) error { return m.provider.Shutdown(ctx) }
