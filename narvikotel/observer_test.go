package narvikotel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/narvikotel"
)

// stack is a Narvik over memstore, with a counting store that can fail, a
// settable clock, and the Observer and WrapStore on one in-memory SDK.
type stack struct {
	n     *narvik.Narvik[struct{}]
	down  *testkit.Store
	clock *testkit.Clock
	tel   *telemetry
}

func newStack(t *testing.T, opts ...narvikotel.Option) *stack {
	t.Helper()
	st := &stack{tel: newTelemetry(t), clock: testkit.NewClock(time.Now())}
	st.down = testkit.Wrap(memstore.New())
	wrapped, err := narvikotel.WrapStore(st.down, st.tel.options(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := narvikotel.NewObserver(st.tel.options(opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	st.n, err = narvik.New[struct{}](wrapped, narvik.WithObserver(obs), narvik.WithClock(st.clock.Now),
		narvik.WithSessionExpiresIn(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// exercise runs every operation to every outcome it can reach and returns
// the tokens it created.
func (st *stack) exercise(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	n := st.n
	var tokens []string
	create := func(user string) *narvik.CreateSessionResult[struct{}] {
		res, err := n.CreateSession(ctx, user, struct{}{})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, res.Token)
		return res
	}
	a := create("user-a")
	create("user-a")
	b := create("user-b")
	if _, err := n.CreateSession(ctx, "", struct{}{}); !errors.Is(err, narvik.ErrEmptyUserID) {
		t.Fatalf("empty user: %v", err)
	}
	mustValidate := func(token string, want narvik.Outcome) {
		t.Helper()
		s, err := n.ValidateSession(ctx, token)
		if got := s != nil && err == nil; got != (want == narvik.OutcomeValid || want == narvik.OutcomeExtended) {
			t.Fatalf("ValidateSession: %v, %v", s, err)
		}
	}
	mustValidate(a.Token, narvik.OutcomeValid)
	mustValidate("not-a-token", narvik.OutcomeMalformed)
	mustValidate("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", narvik.OutcomeNotFound)
	st.clock.Advance(40 * time.Minute)
	mustValidate(b.Token, narvik.OutcomeExtended)
	if list, err := n.FetchSessionsForUser(ctx, "user-a"); err != nil || len(list) != 2 {
		t.Fatalf("FetchSessionsForUser = %d, %v", len(list), err)
	}
	if err := n.InvalidateSession(ctx, a.Session.ID); err != nil {
		t.Fatal(err)
	}
	if err := n.DeleteSessionsForUser(ctx, "user-a"); err != nil {
		t.Fatal(err)
	}
	// Sessions created two hours ago by the core's clock are expired in the
	// store, which judges by the real clock.
	st.clock.Set(time.Now().Add(-2 * time.Hour))
	create("user-old")
	create("user-old")
	st.clock.Set(time.Now())
	if k, err := n.DeleteAllExpiredSessions(ctx); err != nil || k != 2 {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v", k, err)
	}
	st.down.Fail(true)
	if _, err := n.ValidateSession(ctx, b.Token); !errors.Is(err, testkit.ErrDown) {
		t.Fatalf("validate, store down: %v", err)
	}
	if _, err := n.CreateSession(ctx, "user-c", struct{}{}); !errors.Is(err, testkit.ErrDown) {
		t.Fatalf("create, store down: %v", err)
	}
	st.down.Fail(false)
	return tokens
}

// TestObserverMetrics checks the numbers an operator reads after a known
// sequence of operations.
func TestObserverMetrics(t *testing.T) {
	st := newStack(t)
	st.exercise(t)
	ms := st.tel.collect(t)

	sameCounts(t, "narvik.session.validations", counts(t, ms["narvik.session.validations"]), map[string]int64{
		"narvik.outcome=valid":                   1,
		"narvik.outcome=extended":                1,
		"narvik.outcome=not_found":               1,
		"narvik.outcome=malformed":               1,
		"error.type=_OTHER,narvik.outcome=error": 1,
	})
	sameCounts(t, "narvik.session.created", counts(t, ms["narvik.session.created"]), map[string]int64{"": 5})
	sameCounts(t, "narvik.session.revocations", counts(t, ms["narvik.session.revocations"]), map[string]int64{
		"narvik.revocation.scope=session": 1,
		"narvik.revocation.scope=user":    1,
	})
	sameCounts(t, "narvik.session.expired_removed", counts(t, ms["narvik.session.expired_removed"]), map[string]int64{"": 2})
	listed := ms["narvik.session.listed"].Data.(metricdata.Histogram[int64])
	if len(listed.DataPoints) != 1 || listed.DataPoints[0].Count != 1 || listed.DataPoints[0].Sum != 2 {
		t.Errorf("narvik.session.listed = %+v, want one listing of 2 sessions", listed.DataPoints)
	}
	sameCounts(t, "narvik.operation.duration", counts(t, ms["narvik.operation.duration"]), map[string]int64{
		"narvik.operation=create,narvik.outcome=ok":                               5,
		"error.type=empty_user_id,narvik.operation=create,narvik.outcome=refused": 1,
		"error.type=_OTHER,narvik.operation=create,narvik.outcome=error":          1,
		"narvik.operation=validate,narvik.outcome=valid":                          1,
		"narvik.operation=validate,narvik.outcome=extended":                       1,
		"narvik.operation=validate,narvik.outcome=not_found":                      1,
		"narvik.operation=validate,narvik.outcome=malformed":                      1,
		"error.type=_OTHER,narvik.operation=validate,narvik.outcome=error":        1,
		"narvik.operation=list_user,narvik.outcome=ok":                            1,
		"narvik.operation=invalidate,narvik.outcome=ok":                           1,
		"narvik.operation=invalidate_user,narvik.outcome=ok":                      1,
		"narvik.operation=delete_expired,narvik.outcome=ok":                       1,
	})
	for name, unit := range map[string]string{
		"narvik.operation.duration":      "s",
		"narvik.session.validations":     "{validation}",
		"narvik.session.created":         "{session}",
		"narvik.session.revocations":     "{revocation}",
		"narvik.session.expired_removed": "{session}",
		"narvik.session.listed":          "{session}",
	} {
		if ms[name].Unit != unit || ms[name].Description == "" {
			t.Errorf("%s: unit %q, description %q; want unit %q and a description", name, ms[name].Unit, ms[name].Description, unit)
		}
	}
	// The store's own numbers agree with its spans.
	checkStoreTelemetry(t, st.tel)
}

// TestObserverSpans checks the operation spans: one per operation, named
// for the method, with its outcome, an error status on failure, and the
// store calls nested under it, itself under the caller's span.
func TestObserverSpans(t *testing.T) {
	st := newStack(t)
	st.exercise(t)

	byID := map[trace.SpanID]string{}
	for _, s := range st.tel.ended() {
		byID[s.SpanContext.SpanID()] = s.Name
	}
	ops := map[string]int{}
	for _, s := range st.tel.ended() {
		op := attr(s.Attributes, "narvik.operation")
		if op == "" {
			// A store span: its parent is the operation that made the call.
			if p := byID[s.Parent.SpanID()]; len(p) < 7 || p[:7] != "narvik." {
				t.Errorf("store span %s has parent %q, want an operation span", s.Name, p)
			}
			continue
		}
		ops[s.Name+" "+attr(s.Attributes, "narvik.outcome")]++
		failed := s.Status.Code == codes.Error
		if want := attr(s.Attributes, "error.type") != ""; failed != want || (failed && s.Status.Description != attr(s.Attributes, "error.type")) {
			t.Errorf("span %s: status %v, error.type %q", s.Name, s.Status, attr(s.Attributes, "error.type"))
		}
		switch s.Name {
		case "narvik.FetchSessionsForUser", "narvik.DeleteAllExpiredSessions":
			if attr(s.Attributes, "narvik.session.count") != "2" {
				t.Errorf("span %s: narvik.session.count %q, want 2", s.Name, attr(s.Attributes, "narvik.session.count"))
			}
		}
	}
	want := map[string]int{
		"narvik.CreateSession ok":            5,
		"narvik.CreateSession refused":       1,
		"narvik.CreateSession error":         1,
		"narvik.ValidateSession valid":       1,
		"narvik.ValidateSession extended":    1,
		"narvik.ValidateSession not_found":   1,
		"narvik.ValidateSession malformed":   1,
		"narvik.ValidateSession error":       1,
		"narvik.FetchSessionsForUser ok":     1,
		"narvik.InvalidateSession ok":        1,
		"narvik.DeleteSessionsForUser ok":    1,
		"narvik.DeleteAllExpiredSessions ok": 1,
	}
	if len(ops) != len(want) {
		t.Errorf("operation spans %v, want %v", ops, want)
	}
	for k, n := range want {
		if ops[k] != n {
			t.Errorf("%d spans %q, want %d (all: %v)", ops[k], k, n, ops)
		}
	}
}

// TestObserverNestsUnderCaller checks that the operation span is a child
// of the caller's span and the store call a child of the operation's.
func TestObserverNestsUnderCaller(t *testing.T) {
	st := newStack(t)
	ctx, parent := st.tel.tp.Tracer("test").Start(context.Background(), "request")
	if _, err := st.n.ValidateSession(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	parent.End()
	spans := st.tel.ended()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want FetchSession, narvik.ValidateSession, request", len(spans))
	}
	fetch, op, req := spans[0], spans[1], spans[2]
	if fetch.Name != "FetchSession" || op.Name != "narvik.ValidateSession" || req.Name != "request" {
		t.Fatalf("spans %s, %s, %s", fetch.Name, op.Name, req.Name)
	}
	if fetch.Parent.SpanID() != op.SpanContext.SpanID() || op.Parent.SpanID() != req.SpanContext.SpanID() {
		t.Fatal("FetchSession is not under narvik.ValidateSession, or that not under the caller's span")
	}
}

// TestObserverWithoutTracing checks that with a no-op tracer Start hands
// the caller's context back unchanged, so nothing is carried for nothing,
// and that metrics are still recorded.
func TestObserverWithoutTracing(t *testing.T) {
	tel := newTelemetry(t)
	obs, err := narvikotel.NewObserver(narvikotel.WithMeterProvider(tel.mp), narvikotel.WithTracerProvider(noop.NewTracerProvider()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if got := obs.Start(ctx, narvik.OpValidate); got != ctx {
		t.Fatal("Start with a no-op tracer returned a new context")
	}
	obs.Observe(ctx, narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeValid, Duration: time.Millisecond})
	sameCounts(t, "validations", counts(t, tel.collect(t)["narvik.session.validations"]), map[string]int64{"narvik.outcome=valid": 1})
}

// TestObserverUnknownValues checks that an operation or outcome a later
// core might add is still reported, under its String name.
func TestObserverUnknownValues(t *testing.T) {
	tel := newTelemetry(t)
	obs, err := narvikotel.NewObserver(tel.options()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := obs.Start(context.Background(), narvik.Op(200))
	obs.Observe(ctx, narvik.Event{Op: narvik.Op(200), Outcome: narvik.Outcome(201)})
	sameCounts(t, "duration", counts(t, tel.collect(t)["narvik.operation.duration"]), map[string]int64{
		"narvik.operation=unknown,narvik.outcome=unknown": 1,
	})
	if s := tel.ended(); len(s) != 1 || s[0].Name != "narvik.unknown" {
		t.Fatalf("spans %v", s)
	}
}

// TestObserverConcurrent validates from many goroutines, valid and failing
// (the error path builds and caches attribute sets), and checks that every
// validation is counted once. Run with -race.
func TestObserverConcurrent(t *testing.T) {
	st := newStack(t)
	ctx := context.Background()
	res, err := st.n.CreateSession(ctx, "u", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	failing, err := narvikotel.WrapStore(failStore{}, st.tel.options()...)
	if err != nil {
		t.Fatal(err)
	}
	obs, err := narvikotel.NewObserver(st.tel.options()...)
	if err != nil {
		t.Fatal(err)
	}
	down, err := narvik.New[struct{}](failing, narvik.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 50
	done := make(chan struct{})
	for w := range workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for range each {
				if w%2 == 0 {
					_, _ = st.n.ValidateSession(ctx, res.Token)
				} else {
					_, _ = down.ValidateSession(ctx, res.Token)
				}
			}
		}()
	}
	for range workers {
		<-done
	}
	sameCounts(t, "validations", counts(t, st.tel.collect(t)["narvik.session.validations"]), map[string]int64{
		"narvik.outcome=valid": workers / 2 * each,
		"error.type=github.com/narvik-go/narvik/narvikotel_test.errDown,narvik.outcome=error": workers / 2 * each,
	})
}

// failStore fails every call with an error of its own type.
type failStore struct{ narvik.SessionStore }

type errDown struct{}

func (errDown) Error() string { return "down" }

func (failStore) FetchSession(context.Context, string) (narvik.Record, error) {
	return narvik.Record{}, errDown{}
}
