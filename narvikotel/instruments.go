package narvikotel

import (
	"fmt"

	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// instruments makes the instruments of this package's meter and keeps the
// first error, so that a constructor reads as the list of what it reports.
type instruments struct {
	meter metric.Meter
	err   error
}

func (c config) instruments() *instruments {
	return &instruments{meter: c.meterProvider.Meter(scopeName, metric.WithSchemaURL(semconv.SchemaURL))}
}

// durationBuckets are the bucket bounds, in seconds, of both duration
// histograms: from 10 µs (an in-memory store) to 10 s (a store that is
// timing out), roughly 1-2.5-5 per decade.
var durationBuckets = []float64{
	0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// duration makes a histogram of seconds.
func (in *instruments) duration(name, description string) metric.Float64Histogram {
	h, err := in.meter.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(description),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	in.keep(err)
	return h
}

// counter makes a counter.
func (in *instruments) counter(name, unit, description string) metric.Int64Counter {
	c, err := in.meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(description))
	in.keep(err)
	return c
}

// histogram makes a histogram of counts with these bucket bounds.
func (in *instruments) histogram(name, unit, description string, bounds ...float64) metric.Int64Histogram {
	h, err := in.meter.Int64Histogram(name, metric.WithUnit(unit), metric.WithDescription(description),
		metric.WithExplicitBucketBoundaries(bounds...))
	in.keep(err)
	return h
}

func (in *instruments) keep(err error) {
	if err != nil && in.err == nil {
		in.err = fmt.Errorf("narvikotel: %w", err)
	}
}
