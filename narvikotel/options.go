package narvikotel

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Option configures NewObserver and WrapStore. Options that concern store
// calls only (WithDBSystem, WithSessionIDs) are ignored by NewObserver.
type Option func(*config)

type config struct {
	meterProvider  metric.MeterProvider
	tracerProvider trace.TracerProvider
	dbSystem       string
	sessionIDs     bool
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	// The global providers delegate to whatever the application installs
	// later with otel.SetMeterProvider and otel.SetTracerProvider, so an
	// Observer made before the SDK is set up still reports once it is.
	if c.meterProvider == nil {
		c.meterProvider = otel.GetMeterProvider()
	}
	if c.tracerProvider == nil {
		c.tracerProvider = otel.GetTracerProvider()
	}
	return c
}

// tracer returns the tracer to start spans with, or nil when the provider
// is the no-op one: then no span is started at all, which saves the
// context the no-op tracer would allocate for every call.
func (c config) tracer() trace.Tracer {
	if _, off := c.tracerProvider.(noop.TracerProvider); off {
		return nil
	}
	return c.tracerProvider.Tracer(scopeName, trace.WithSchemaURL(semconv.SchemaURL))
}

// WithMeterProvider sets where metrics go (default: the global
// MeterProvider, otel.GetMeterProvider). A nil provider keeps the default.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.meterProvider = mp }
}

// WithTracerProvider sets where spans go (default: the global
// TracerProvider, otel.GetTracerProvider). A nil provider keeps the default.
// To keep metrics but record no spans, pass the no-op provider of
// go.opentelemetry.io/otel/trace/noop: then no span is started at all,
// whereas the global provider, until an SDK is installed, still makes a
// context and a non-recording span per operation and store call (3
// allocations and a few hundred nanoseconds per validation, see
// docs/benchmarks.md).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tracerProvider = tp }
}

// WithDBSystem sets the db.system.name attribute of store spans and metrics,
// for a store whose database WrapStore cannot tell by itself: use the
// semantic conventions' value where one exists ("postgresql", "mysql",
// "sqlite", ...). An empty name leaves the attribute out. WrapStore knows
// the drivers of this repository that talk to a database (redisstore:
// "redis", mongostore: "mongodb", dynamostore: "aws.dynamodb").
func WithDBSystem(name string) Option {
	return func(c *config) { c.dbSystem = name }
}

// WithSessionIDs adds the session ID (narvik.session.id) to the spans of
// store calls that name one. It is off by default: a session ID is the hash
// of a token, not the token, so it cannot be replayed, but it does let
// whoever reads the traces follow one user's session across requests.
// Metrics never carry it, as it would give every session its own series.
func WithSessionIDs() Option {
	return func(c *config) { c.sessionIDs = true }
}
