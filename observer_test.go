package narvik_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// opKey marks the context a StartObserver returned, to follow it into the
// store and back to Observe.
type opKey struct{}

// recorder is a StartObserver that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	starts []narvik.Op
	events []narvik.Event
	bad    []string // contexts that did not come from Start
}

func (r *recorder) Start(ctx context.Context, op narvik.Op) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts = append(r.starts, op)
	return context.WithValue(ctx, opKey{}, op)
}

func (r *recorder) Observe(ctx context.Context, e narvik.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if got, _ := ctx.Value(opKey{}).(narvik.Op); got != e.Op {
		r.bad = append(r.bad, "Observe("+e.Op.String()+") got the context of "+got.String())
	}
	r.events = append(r.events, e)
}

// take returns the events since the last take and checks that each had
// exactly one Start.
func (r *recorder) take(t *testing.T) []narvik.Event {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		t.Fatalf("contexts: %v", r.bad)
	}
	if len(r.starts) != len(r.events) {
		t.Fatalf("%d starts for %d events", len(r.starts), len(r.events))
	}
	for i, op := range r.starts {
		if r.events[i].Op != op {
			t.Fatalf("start %d was %v, its event %v", i, op, r.events[i].Op)
		}
	}
	ev := r.events
	r.starts, r.events = nil, nil
	return ev
}

// ctxStore fails the test when a store call does not carry the context
// Start returned.
type ctxStore struct {
	narvik.SessionStore
	t *testing.T
}

func (s ctxStore) check(ctx context.Context) {
	if _, ok := ctx.Value(opKey{}).(narvik.Op); !ok {
		s.t.Error("a store call did not get the context StartObserver.Start returned")
	}
}

func (s ctxStore) SaveSession(ctx context.Context, r narvik.Record) error {
	s.check(ctx)
	return s.SessionStore.SaveSession(ctx, r)
}

func (s ctxStore) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	s.check(ctx)
	return s.SessionStore.FetchSession(ctx, id)
}

func (s ctxStore) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	s.check(ctx)
	return s.SessionStore.DeleteAllExpiredSessions(ctx)
}

// TestObserverEvents drives every operation to every outcome it can reach
// and checks the one event each reports.
func TestObserverEvents(t *testing.T) {
	rec := &recorder{}
	store := testkit.Wrap(ctxStore{SessionStore: memstore.New(), t: t})
	clock := testkit.NewClock(time.Now())
	n := mustNew[struct{}](t, store, narvik.WithObserver(rec), narvik.WithClock(clock.Now),
		narvik.WithSessionExpiresIn(time.Hour))
	ctx := context.Background()
	want := func(step string, wantEv ...narvik.Event) {
		t.Helper()
		got := rec.take(t)
		if len(got) != len(wantEv) {
			t.Fatalf("%s: %d events %+v, want %d", step, len(got), got, len(wantEv))
		}
		for i, w := range wantEv {
			g := got[i]
			if g.Op != w.Op || g.Outcome != w.Outcome || g.Count != w.Count || (g.Err == nil) != (w.Err == nil) {
				t.Errorf("%s: event %+v, want op %v outcome %v count %d err %v", step, g, w.Op, w.Outcome, w.Count, w.Err)
			}
			if w.Err != nil && !errors.Is(g.Err, w.Err) {
				t.Errorf("%s: event error %v, want %v", step, g.Err, w.Err)
			}
			if g.Duration <= 0 {
				t.Errorf("%s: duration %v, want > 0", step, g.Duration)
			}
		}
	}

	res, err := n.CreateSession(ctx, "u", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	want("create", narvik.Event{Op: narvik.OpCreate, Outcome: narvik.OutcomeOK})
	_, _ = n.CreateSession(ctx, "", struct{}{})
	want("create refused", narvik.Event{Op: narvik.OpCreate, Outcome: narvik.OutcomeRefused, Err: narvik.ErrEmptyUserID})

	_, _ = n.ValidateSession(ctx, res.Token)
	want("validate", narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeValid})
	_, _ = n.ValidateSession(ctx, "not a token")
	want("malformed", narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeMalformed})
	_, _ = n.ValidateSession(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	want("unknown", narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeNotFound})
	clock.Advance(40 * time.Minute)
	_, _ = n.ValidateSession(ctx, res.Token)
	want("extend", narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeExtended})

	_, _ = n.FetchSessionsForUser(ctx, "u")
	want("list", narvik.Event{Op: narvik.OpListUser, Outcome: narvik.OutcomeOK, Count: 1})
	_ = n.InvalidateSession(ctx, res.Session.ID)
	want("invalidate", narvik.Event{Op: narvik.OpInvalidate, Outcome: narvik.OutcomeOK})
	_ = n.DeleteSessionsForUser(ctx, "u")
	want("invalidate user", narvik.Event{Op: narvik.OpInvalidateUser, Outcome: narvik.OutcomeOK})

	// Two sessions created an hour ago by the core's clock are already
	// expired in the store, which judges by the real clock.
	clock.Set(time.Now().Add(-2 * time.Hour))
	for range 2 {
		if _, err := n.CreateSession(ctx, "old", struct{}{}); err != nil {
			t.Fatal(err)
		}
	}
	rec.take(t)
	_, _ = n.DeleteAllExpiredSessions(ctx)
	want("sweep", narvik.Event{Op: narvik.OpDeleteExpired, Outcome: narvik.OutcomeOK, Count: 2})

	store.Fail(true)
	_, _ = n.ValidateSession(ctx, res.Token)
	want("validate, store down", narvik.Event{Op: narvik.OpValidate, Outcome: narvik.OutcomeError, Err: testkit.ErrDown})
	_, _ = n.CreateSession(ctx, "u", struct{}{})
	_ = n.InvalidateSession(ctx, res.Session.ID)
	_ = n.DeleteSessionsForUser(ctx, "u")
	_, _ = n.FetchSessionsForUser(ctx, "u")
	_, _ = n.DeleteAllExpiredSessions(ctx)
	want("store down",
		narvik.Event{Op: narvik.OpCreate, Outcome: narvik.OutcomeError, Err: testkit.ErrDown},
		narvik.Event{Op: narvik.OpInvalidate, Outcome: narvik.OutcomeError, Err: testkit.ErrDown},
		narvik.Event{Op: narvik.OpInvalidateUser, Outcome: narvik.OutcomeError, Err: testkit.ErrDown},
		narvik.Event{Op: narvik.OpListUser, Outcome: narvik.OutcomeError, Err: testkit.ErrDown},
		narvik.Event{Op: narvik.OpDeleteExpired, Outcome: narvik.OutcomeError, Err: testkit.ErrDown})
}

// observeOnly is an Observer without Start.
type observeOnly struct{ n int }

func (o *observeOnly) Observe(context.Context, narvik.Event) { o.n++ }

// TestObserverWithoutStart checks that a plain Observer (no Start) is told
// once per operation and that a nil observer is accepted.
func TestObserverWithoutStart(t *testing.T) {
	o := &observeOnly{}
	n := mustNew[struct{}](t, memstore.New(), narvik.WithObserver(o))
	if _, err := n.ValidateSession(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if o.n != 1 {
		t.Fatalf("Observe called %d times, want 1", o.n)
	}
	n = mustNew[struct{}](t, memstore.New(), narvik.WithObserver(nil))
	if _, err := n.ValidateSession(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
}
