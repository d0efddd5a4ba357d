package narvikotel

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/narvik-go/narvik/drivers/memstore"
)

// TestDBSystem checks where db.system.name comes from: WithDBSystem, else
// the wrapped store's package, else nowhere.
func TestDBSystem(t *testing.T) {
	knownSystems["github.com/narvik-go/narvik/drivers/memstore"] = "test-system"
	t.Cleanup(func() { delete(knownSystems, "github.com/narvik-go/narvik/drivers/memstore") })
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"known package", nil, "test-system"},
		{"given", []Option{WithDBSystem("postgresql")}, "postgresql"},
	} {
		spans := tracetest.NewInMemoryExporter()
		tp := trace.NewTracerProvider(trace.WithSyncer(spans))
		s, err := WrapStore(memstore.New(), append(tc.opts, WithTracerProvider(tp))...)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = s.FetchSession(context.Background(), strings.Repeat("a", 64))
		got := spans.GetSpans()
		if len(got) != 1 {
			t.Fatalf("%s: %d spans", tc.name, len(got))
		}
		var system string
		for _, kv := range got[0].Attributes {
			if kv.Key == "db.system.name" {
				system = kv.Value.AsString()
			}
		}
		if system != tc.want {
			t.Errorf("%s: db.system.name %q, want %q", tc.name, system, tc.want)
		}
	}
	if got := pkgPath(memstore.New()); got != "github.com/narvik-go/narvik/drivers/memstore" {
		t.Errorf("pkgPath(*memstore.Store) = %q", got)
	}
}

// TestKnownSystemsExist checks that every package knownSystems names is a
// driver of this repository, so a renamed driver cannot silently lose its
// db.system.name.
func TestKnownSystemsExist(t *testing.T) {
	for path := range knownSystems {
		rel, ok := strings.CutPrefix(path, "github.com/narvik-go/narvik/")
		if !ok {
			t.Fatalf("%s is not a package of this repository", path)
		}
		if _, err := os.Stat(filepath.Join("..", rel, "doc.go")); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}
