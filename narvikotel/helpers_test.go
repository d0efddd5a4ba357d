package narvikotel_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/narvik-go/narvik/narvikotel"
)

// telemetry is an OpenTelemetry SDK that keeps everything in memory: spans
// in tracetest's exporter, metrics behind a manual reader.
type telemetry struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(tb testing.TB) *telemetry {
	tel := &telemetry{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	tb.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

// options points narvikotel at this SDK.
func (tel *telemetry) options(more ...narvikotel.Option) []narvikotel.Option {
	return append([]narvikotel.Option{narvikotel.WithTracerProvider(tel.tp), narvikotel.WithMeterProvider(tel.mp)}, more...)
}

// ended returns the spans ended so far.
func (tel *telemetry) ended() tracetest.SpanStubs { return tel.spans.GetSpans() }

// collect returns every metric recorded so far, by name.
func (tel *telemetry) collect(tb testing.TB) map[string]metricdata.Metrics {
	tb.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		tb.Fatalf("collect metrics: %v", err)
	}
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != "github.com/narvik-go/narvik/narvikotel" {
			tb.Fatalf("instrumentation scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// key renders an attribute set as "k=v,k=v", sorted, for comparisons.
func key(set attribute.Set) string {
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// attrKey renders span attributes like key, keeping only the keys named.
func attrKey(kvs []attribute.KeyValue, keep ...string) string {
	var parts []string
	for _, kv := range kvs {
		for _, k := range keep {
			if string(kv.Key) == k {
				parts = append(parts, k+"="+kv.Value.String())
			}
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// attr returns the value of the span attribute k, "" when absent.
func attr(kvs []attribute.KeyValue, k string) string {
	for _, kv := range kvs {
		if string(kv.Key) == k {
			return kv.Value.String()
		}
	}
	return ""
}

// counts returns a Sum's values or a Histogram's counts by attribute set.
func counts(tb testing.TB, m metricdata.Metrics) map[string]int64 {
	tb.Helper()
	out := map[string]int64{}
	switch d := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			out[key(p.Attributes)] += p.Value
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out[key(p.Attributes)] += int64(p.Count)
		}
	case metricdata.Histogram[int64]:
		for _, p := range d.DataPoints {
			out[key(p.Attributes)] += int64(p.Count)
		}
	default:
		tb.Fatalf("metric %s: unexpected data %T", m.Name, m.Data)
	}
	return out
}

// sameCounts fails unless got and want hold the same counts.
func sameCounts(tb testing.TB, what string, got, want map[string]int64) {
	tb.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		tb.Errorf("%s:\n got  %v\n want %v", what, got, want)
	}
}

// newID returns a random session ID: 64 hex digits.
func newID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
