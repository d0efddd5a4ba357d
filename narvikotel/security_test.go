package narvikotel_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/narvikotel"
)

// exported renders everything the SDK would export, every span (name,
// attributes, events, links, status, resource, scope) and every metric
// (names, descriptions, data points with their attributes and exemplars),
// as JSON text to search.
func exported(t *testing.T, tel *telemetry) string {
	t.Helper()
	spans, err := json.Marshal(tel.ended())
	if err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	metrics, err := json.Marshal(rm)
	if err != nil {
		t.Fatal(err)
	}
	if len(tel.ended()) < 20 || len(rm.ScopeMetrics) == 0 {
		t.Fatalf("%d spans and %d scopes of metrics: too little to search", len(tel.ended()), len(rm.ScopeMetrics))
	}
	return string(spans) + "\n" + string(metrics)
}

// sessionIDs returns the IDs of the tokens' sessions.
func sessionIDs(tokens []string) []string {
	ids := make([]string, len(tokens))
	for i, tok := range tokens {
		ids[i] = narvik.SessionIDFromToken(tok)
	}
	return ids
}

// TestNoTokenInTelemetry runs every operation, failures included, and
// searches everything exported for each token created: none may appear,
// nor, by default, a session ID or a user ID.
func TestNoTokenInTelemetry(t *testing.T) {
	st := newStack(t)
	tokens := st.exercise(t)
	out := exported(t, st.tel)
	for _, tok := range tokens {
		if strings.Contains(out, tok) || strings.Contains(strings.ToUpper(out), strings.ToUpper(tok)) {
			t.Errorf("token %s appears in the exported telemetry", tok)
		}
	}
	for _, id := range sessionIDs(tokens) {
		if strings.Contains(out, id) {
			t.Errorf("session ID %s appears in the exported telemetry without WithSessionIDs", id)
		}
	}
	for _, user := range []string{"user-a", "user-b", "user-old", "user-c"} {
		if strings.Contains(out, user) {
			t.Errorf("user ID %s appears in the exported telemetry", user)
		}
	}
}

// TestSessionIDsOptIn checks that WithSessionIDs puts session IDs on store
// spans, and still no token anywhere.
func TestSessionIDsOptIn(t *testing.T) {
	st := newStack(t, narvikotel.WithSessionIDs())
	tokens := st.exercise(t)
	out := exported(t, st.tel)
	for _, tok := range tokens {
		if strings.Contains(out, tok) {
			t.Errorf("token %s appears in the exported telemetry", tok)
		}
	}
	var withID int
	for _, s := range st.tel.ended() {
		if id := attr(s.Attributes, "narvik.session.id"); id != "" {
			withID++
			if len(id) != 64 {
				t.Errorf("span %s: narvik.session.id %q is not a session ID", s.Name, id)
			}
		}
	}
	found := 0
	for _, id := range sessionIDs(tokens) {
		if strings.Contains(out, id) {
			found++
		}
	}
	if withID == 0 || found != len(tokens) {
		t.Errorf("%d spans carry a session ID and %d of %d sessions are named; want every one", withID, found, len(tokens))
	}
	// Never on a metric: it would make a series per session.
	for name, m := range st.tel.collect(t) {
		for k := range counts(t, m) {
			if strings.Contains(k, "narvik.session.id") {
				t.Errorf("metric %s has a series by session ID: %s", name, k)
			}
		}
	}
}
