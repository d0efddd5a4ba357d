package narvikotel_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikotel"
)

var storeOps = []string{
	"SaveSession", "FetchSession", "UpdateSessionExpiry", "DeleteSession",
	"FetchSessionsForUser", "DeleteSessionsForUser", "DeleteAllExpiredSessions",
	"EnsureSchema", "AllSessions",
}

// checkStoreTelemetry checks that the spans and metrics of a wrapped store
// agree: every span is one store call with the attributes it should have,
// the duration histogram counts exactly the spans (by operation, outcome
// and error type) and the error counter exactly the failed ones. It returns
// the spans per operation and outcome.
func checkStoreTelemetry(tb testing.TB, tel *telemetry) map[string]int64 {
	tb.Helper()
	perCall := map[string]int64{}  // db.operation.name, narvik.outcome, error.type
	failures := map[string]int64{} // db.operation.name, error.type
	for _, s := range tel.ended() {
		if attr(s.Attributes, "narvik.operation") != "" {
			continue // an Observer's span
		}
		op := attr(s.Attributes, "db.operation.name")
		if op != s.Name || !strings.Contains(strings.Join(storeOps, " "), op) {
			tb.Errorf("span %q has db.operation.name %q", s.Name, op)
		}
		if s.SpanKind.String() != "internal" {
			tb.Errorf("span %s is of kind %v, want internal", s.Name, s.SpanKind)
		}
		out, etype := attr(s.Attributes, "narvik.outcome"), attr(s.Attributes, "error.type")
		switch out {
		case "ok", "not_found":
			if s.Status.Code != codes.Unset || etype != "" {
				tb.Errorf("span %s outcome %s has status %v, error.type %q", s.Name, out, s.Status, etype)
			}
		case "error":
			if s.Status.Code != codes.Error || etype == "" || s.Status.Description != etype {
				tb.Errorf("failed span %s has status %v and error.type %q, want Error with the error.type", s.Name, s.Status, etype)
			}
			failures[attrKey(s.Attributes, "db.operation.name", "error.type")]++
		default:
			tb.Errorf("span %s has narvik.outcome %q", s.Name, out)
		}
		perCall[attrKey(s.Attributes, "db.operation.name", "narvik.outcome", "error.type")]++
	}
	ms := tel.collect(tb)
	if len(perCall) == 0 {
		if _, ok := ms["narvik.store.operation.duration"]; ok {
			tb.Errorf("no store span, but store metrics %v", ms)
		}
		return perCall
	}
	sameCounts(tb, "narvik.store.operation.duration counts vs spans", counts(tb, ms["narvik.store.operation.duration"]), perCall)
	if len(failures) > 0 {
		sameCounts(tb, "narvik.store.operation.errors vs failed spans", counts(tb, ms["narvik.store.operation.errors"]), failures)
	} else if m, ok := ms["narvik.store.operation.errors"]; ok && len(counts(tb, m)) > 0 {
		tb.Errorf("no failed span, but narvik.store.operation.errors = %v", counts(tb, m))
	}
	if d := ms["narvik.store.operation.duration"]; d.Unit != "s" {
		tb.Errorf("duration unit %q, want s", d.Unit)
	}
	return perCall
}

// TestConformance runs the whole suite over wrapped memstores, each with an
// SDK of its own, and checks after every subtest that each store call made
// one span and one duration point that agree. The Walk group runs because
// memstore is an Enumerator and so is its wrapper.
func TestConformance(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int64{}
	conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
		tel := newTelemetry(tb)
		s, err := narvikotel.WrapStore(memstore.New(), tel.options()...)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			calls := checkStoreTelemetry(tb, tel)
			mu.Lock()
			defer mu.Unlock()
			for k, n := range calls {
				seen[k] += n
			}
		})
		return s
	})
	// The suite reaches every method and the outcomes that matter.
	for _, want := range []string{
		"db.operation.name=SaveSession,narvik.outcome=ok",
		"db.operation.name=SaveSession,error.type=duplicate_session,narvik.outcome=error",
		"db.operation.name=FetchSession,narvik.outcome=ok",
		"db.operation.name=FetchSession,narvik.outcome=not_found",
		"db.operation.name=UpdateSessionExpiry,narvik.outcome=not_found",
		"db.operation.name=DeleteSession,narvik.outcome=ok",
		"db.operation.name=FetchSessionsForUser,narvik.outcome=ok",
		"db.operation.name=DeleteSessionsForUser,narvik.outcome=ok",
		"db.operation.name=DeleteAllExpiredSessions,narvik.outcome=ok",
		"db.operation.name=AllSessions,narvik.outcome=ok",
	} {
		if seen[want] == 0 {
			t.Errorf("no span %s in the whole suite; seen: %v", want, seen)
		}
	}
}

// TestConformanceCallCounts runs the suite again with a counting store
// under the wrapper and checks that each of the seven methods made exactly
// as many spans as calls reached the store.
func TestConformanceCallCounts(t *testing.T) {
	methods := map[testkit.Method]string{
		testkit.Save: "SaveSession", testkit.Fetch: "FetchSession", testkit.Update: "UpdateSessionExpiry",
		testkit.Delete: "DeleteSession", testkit.FetchForUser: "FetchSessionsForUser",
		testkit.DeleteForUser: "DeleteSessionsForUser", testkit.DeleteExpired: "DeleteAllExpiredSessions",
	}
	conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
		tel := newTelemetry(tb)
		counted := testkit.Wrap(memstore.New())
		s, err := narvikotel.WrapStore(counted, tel.options()...)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() {
			checkStoreTelemetry(tb, tel)
			spans := map[string]int64{}
			for _, s := range tel.ended() {
				spans[s.Name]++
			}
			for m, name := range methods {
				if got, want := spans[name], counted.Calls(m); got != want {
					tb.Errorf("%s: %d spans for %d calls", name, got, want)
				}
			}
		})
		return s
	})
}

// part is one of the optional interfaces, for fakeStore.
type part int

const (
	hasNativeExpiry part = 1 << iota
	hasSchema
	hasWalk
)

// fakeStore builds a store with exactly the optional interfaces in parts,
// over memstore, counting EnsureSchema calls.
func fakeStore(parts part, ensured *int) narvik.SessionStore {
	base := &struct{ narvik.SessionStore }{memstore.New()} // the seven methods only
	ne := nativeExpiry{}
	se := &schemaCounter{ensured}
	en := base.SessionStore.(narvik.Enumerator)
	switch parts {
	case hasNativeExpiry | hasSchema | hasWalk:
		return struct {
			narvik.SessionStore
			narvik.NativeExpiry
			narvik.SchemaEnsurer
			narvik.Enumerator
		}{base, ne, se, en}
	case hasNativeExpiry | hasSchema:
		return struct {
			narvik.SessionStore
			narvik.NativeExpiry
			narvik.SchemaEnsurer
		}{base, ne, se}
	case hasNativeExpiry | hasWalk:
		return struct {
			narvik.SessionStore
			narvik.NativeExpiry
			narvik.Enumerator
		}{base, ne, en}
	case hasSchema | hasWalk:
		return struct {
			narvik.SessionStore
			narvik.SchemaEnsurer
			narvik.Enumerator
		}{base, se, en}
	case hasNativeExpiry:
		return struct {
			narvik.SessionStore
			narvik.NativeExpiry
		}{base, ne}
	case hasSchema:
		return struct {
			narvik.SessionStore
			narvik.SchemaEnsurer
		}{base, se}
	case hasWalk:
		return struct {
			narvik.SessionStore
			narvik.Enumerator
		}{base, en}
	}
	return base
}

type nativeExpiry struct{}

func (nativeExpiry) ExpiresNatively() bool { return true }

type schemaCounter struct{ n *int }

func (s *schemaCounter) EnsureSchema(context.Context) error { *s.n++; return nil }

// TestOptionalInterfaces wraps a store of each of the eight combinations
// of NativeExpiry, SchemaEnsurer and Enumerator and checks that the
// wrapper has exactly the same ones, passes them through and traces the
// store calls among them.
func TestOptionalInterfaces(t *testing.T) {
	ctx := context.Background()
	for parts := part(0); parts < 8; parts++ {
		tel := newTelemetry(t)
		ensured := 0
		inner := fakeStore(parts, &ensured)
		s, err := narvikotel.WrapStore(inner, tel.options()...)
		if err != nil {
			t.Fatal(err)
		}
		ne, isNE := s.(narvik.NativeExpiry)
		se, isSE := s.(narvik.SchemaEnsurer)
		en, isEN := s.(narvik.Enumerator)
		if isNE != (parts&hasNativeExpiry != 0) || isSE != (parts&hasSchema != 0) || isEN != (parts&hasWalk != 0) {
			t.Fatalf("store with parts %03b: wrapper is NativeExpiry %v, SchemaEnsurer %v, Enumerator %v", parts, isNE, isSE, isEN)
		}
		if u, ok := s.(interface{ Unwrap() narvik.SessionStore }); !ok || u.Unwrap() != inner {
			t.Fatalf("parts %03b: Unwrap does not return the wrapped store", parts)
		}
		want := map[string]int64{}
		if isNE && !ne.ExpiresNatively() {
			t.Errorf("parts %03b: ExpiresNatively = false, the store says true", parts)
		}
		if isSE {
			if err := se.EnsureSchema(ctx); err != nil || ensured != 1 {
				t.Fatalf("parts %03b: EnsureSchema = %v, reached the store %d times", parts, err, ensured)
			}
			want["db.operation.name=EnsureSchema,narvik.outcome=ok"] = 1
		}
		if isEN {
			if err := s.SaveSession(ctx, record("u")); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveSession(ctx, record("u")); err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, err := range en.AllSessions(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != 2 {
				t.Fatalf("parts %03b: the walk yielded %d records, want 2", parts, n)
			}
			for range en.AllSessions(ctx) {
				break // a walk stopped early ends its span too
			}
			want["db.operation.name=SaveSession,narvik.outcome=ok"] = 2
			want["db.operation.name=AllSessions,narvik.outcome=ok"] = 2
			rows := []string{}
			for _, sp := range tel.ended() {
				if sp.Name == "AllSessions" {
					rows = append(rows, attr(sp.Attributes, "db.response.returned_rows"))
				}
			}
			if strings.Join(rows, " ") != "2 1" {
				t.Errorf("AllSessions spans carry returned_rows %v, want [2 1]", rows)
			}
		}
		sameCounts(t, "spans", checkStoreTelemetry(t, tel), want)
	}
}

// failingWalk is an Enumerator whose walk fails after one record.
type failingWalk struct{ narvik.SessionStore }

var errWalk = errors.New("walk broke")

func (failingWalk) AllSessions(context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		if yield(record("u"), nil) {
			yield(narvik.Record{}, errWalk)
		}
	}
}

// ctxErrStore fails FetchSession with the context's error, as a store
// whose client waits on the network does, and returns a foreign record for
// the ID "bad".
type ctxErrStore struct{ narvik.SessionStore }

func (s ctxErrStore) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return narvik.Record{}, fmt.Errorf("ctxerrstore: fetch: %w", err)
	}
	if id == "bad" {
		return narvik.Record{}, fmt.Errorf("%w: not ours", narvik.ErrBadRecord)
	}
	return s.SessionStore.FetchSession(ctx, id)
}

// TestStoreErrors checks the outcome, error.type and status of failing
// calls, and that a missing record is an outcome, not an error.
func TestStoreErrors(t *testing.T) {
	tel := newTelemetry(t)
	counted := testkit.Wrap(ctxErrStore{memstore.New()})
	s, err := narvikotel.WrapStore(counted, tel.options()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := record("u")
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSession(ctx, r); !errors.Is(err, narvik.ErrDuplicateSession) {
		t.Fatalf("second save: %v", err)
	}
	if _, err := s.FetchSession(ctx, record("u").ID); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("fetch of a missing ID: %v", err)
	}
	if _, err := s.FetchSession(ctx, "bad"); !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("fetch of a foreign record: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.FetchSession(cancelled, r.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("fetch with a cancelled context: %v", err)
	}
	counted.Fail(true)
	_ = s.SaveSession(ctx, record("u"))
	_, _ = s.FetchSession(ctx, r.ID)
	_ = s.UpdateSessionExpiry(ctx, r.ID, time.Now().Add(time.Hour))
	_ = s.DeleteSession(ctx, r.ID)
	_, _ = s.FetchSessionsForUser(ctx, "u")
	_ = s.DeleteSessionsForUser(ctx, "u")
	_, _ = s.DeleteAllExpiredSessions(ctx)
	w, err := narvikotel.WrapStore(failingWalk{memstore.New()}, tel.options()...)
	if err != nil {
		t.Fatal(err)
	}
	walked := 0
	for _, err := range w.(narvik.Enumerator).AllSessions(ctx) {
		if err == nil {
			walked++
		}
	}

	down := ",error.type=_OTHER,narvik.outcome=error" // testkit.ErrDown and errWalk are plain errors.New
	sameCounts(t, "spans", checkStoreTelemetry(t, tel), map[string]int64{
		"db.operation.name=SaveSession,narvik.outcome=ok":                                 1,
		"db.operation.name=SaveSession,error.type=duplicate_session,narvik.outcome=error": 1,
		"db.operation.name=FetchSession,narvik.outcome=not_found":                         1,
		"db.operation.name=FetchSession,error.type=bad_record,narvik.outcome=error":       1,
		"db.operation.name=FetchSession,error.type=canceled,narvik.outcome=error":         1,
		"db.operation.name=SaveSession" + down:                                            1,
		"db.operation.name=FetchSession" + down:                                           1,
		"db.operation.name=UpdateSessionExpiry" + down:                                    1,
		"db.operation.name=DeleteSession" + down:                                          1,
		"db.operation.name=FetchSessionsForUser" + down:                                   1,
		"db.operation.name=DeleteSessionsForUser" + down:                                  1,
		"db.operation.name=DeleteAllExpiredSessions" + down:                               1,
		"db.operation.name=AllSessions" + down:                                            1,
	})
	for _, sp := range tel.ended() {
		if sp.Name == "AllSessions" && attr(sp.Attributes, "db.response.returned_rows") != "1" {
			t.Errorf("failed walk: returned_rows %q, want 1 (the record before the error)", attr(sp.Attributes, "db.response.returned_rows"))
		}
	}
}

// record returns a live record of userID with a fresh ID.
func record(userID string) narvik.Record {
	now := time.Now().Truncate(time.Millisecond)
	return narvik.Record{ID: newID(), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
}
