package narvikotel_test

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikotel"
)

// An application instruments both the core (the Observer) and its store
// (WrapStore). Here the metrics go to an in-memory reader and are printed;
// a real application installs an exporter (Prometheus, OTLP) instead, or
// sets the global providers and passes no option at all.
func Example() {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())

	observer, err := narvikotel.NewObserver(narvikotel.WithMeterProvider(mp))
	if err != nil {
		panic(err)
	}
	store, err := narvikotel.WrapStore(memstore.New(), narvikotel.WithMeterProvider(mp))
	if err != nil {
		panic(err)
	}
	n, err := narvik.New[struct{}](store, narvik.WithObserver(observer))
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	res, _ := n.CreateSession(ctx, "user-1", struct{}{})
	_, _ = n.ValidateSession(ctx, res.Token)
	_, _ = n.ValidateSession(ctx, res.Token)
	_, _ = n.ValidateSession(ctx, "not-a-token")
	_ = n.InvalidateSession(ctx, res.Session.ID)
	_, _ = n.ValidateSession(ctx, res.Token)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		panic(err)
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s %d", m.Name, labels(p.Attributes), p.Value))
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s%s count %d", m.Name, labels(p.Attributes), p.Count))
				}
			}
		}
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// narvik.operation.duration{narvik.operation=create,narvik.outcome=ok} count 1
	// narvik.operation.duration{narvik.operation=invalidate,narvik.outcome=ok} count 1
	// narvik.operation.duration{narvik.operation=validate,narvik.outcome=malformed} count 1
	// narvik.operation.duration{narvik.operation=validate,narvik.outcome=not_found} count 1
	// narvik.operation.duration{narvik.operation=validate,narvik.outcome=valid} count 2
	// narvik.session.created 1
	// narvik.session.revocations{narvik.revocation.scope=session} 1
	// narvik.session.validations{narvik.outcome=malformed} 1
	// narvik.session.validations{narvik.outcome=not_found} 1
	// narvik.session.validations{narvik.outcome=valid} 2
	// narvik.store.operation.duration{db.operation.name=DeleteSession,narvik.outcome=ok} count 1
	// narvik.store.operation.duration{db.operation.name=FetchSession,narvik.outcome=not_found} count 1
	// narvik.store.operation.duration{db.operation.name=FetchSession,narvik.outcome=ok} count 2
	// narvik.store.operation.duration{db.operation.name=SaveSession,narvik.outcome=ok} count 1
}

// labels renders an attribute set as {key=value,...}.
func labels(set attribute.Set) string {
	if set.Len() == 0 {
		return ""
	}
	var parts []string
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.String())
	}
	return "{" + strings.Join(parts, ",") + "}"
}
