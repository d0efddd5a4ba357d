package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// fakeQuerier answers Exec from a list of results and counts the calls.
type fakeQuerier struct {
	results []result
	calls   int
}

type result struct {
	n   int64
	err error
}

func (f *fakeQuerier) Exec(context.Context, Stmt, ...any) (int64, error) {
	r := f.results[min(f.calls, len(f.results)-1)]
	f.calls++
	return r.n, r.err
}

func (f *fakeQuerier) QueryRow(context.Context, Stmt, ...any) Row { panic("not used") }

func (f *fakeQuerier) Query(context.Context, Stmt, ...any) (Rows, error) { panic("not used") }

var errDeadlock = errors.New("deadlock")

func dialect(retry bool) Dialect {
	d := Dialect{Name: "xstore", UserID: func(string) string { return "" }}
	if retry {
		d.Retry = func(err error) bool { return errors.Is(err, errDeadlock) }
	}
	return d
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	id := narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567")
	// Two deadlocks, then the delete goes through.
	f := &fakeQuerier{results: []result{{0, errDeadlock}, {0, errDeadlock}, {1, nil}}}
	if err := New(f, dialect(true)).DeleteSession(ctx, id); err != nil || f.calls != 3 {
		t.Fatalf("DeleteSession = %v after %d calls, want nil after 3", err, f.calls)
	}
	// Always a deadlock: MaxAttempts calls, then the error.
	f = &fakeQuerier{results: []result{{0, errDeadlock}}}
	if err := New(f, dialect(true)).DeleteSession(ctx, id); !errors.Is(err, errDeadlock) || f.calls != MaxAttempts {
		t.Fatalf("DeleteSession = %v after %d calls, want the deadlock after %d", err, f.calls, MaxAttempts)
	}
	// Without Retry, or for another error, one call.
	f = &fakeQuerier{results: []result{{0, errDeadlock}}}
	if err := New(f, dialect(false)).DeleteSession(ctx, id); err == nil || f.calls != 1 {
		t.Fatalf("DeleteSession without Retry = %v after %d calls, want an error after 1", err, f.calls)
	}
	f = &fakeQuerier{results: []result{{0, errors.New("other")}}}
	if err := New(f, dialect(true)).DeleteSession(ctx, id); err == nil || f.calls != 1 {
		t.Fatalf("DeleteSession with another error = %v after %d calls, want it after 1", err, f.calls)
	}
	// A done context ends the retries.
	c, cancel := context.WithCancel(ctx)
	cancel()
	f = &fakeQuerier{results: []result{{0, errDeadlock}}}
	if err := New(f, dialect(true)).DeleteSession(c, id); !errors.Is(err, context.Canceled) || f.calls != 1 {
		t.Fatalf("DeleteSession with a done context = %v after %d calls, want context.Canceled after 1", err, f.calls)
	}
}

func TestSweepBatches(t *testing.T) {
	// 2 full batches of 3, then 1: three statements, 7 rows.
	f := &fakeQuerier{results: []result{{3, nil}, {3, nil}, {1, nil}}}
	s := New(f, dialect(false))
	s.SweepBatch = 3
	if n, err := s.DeleteAllExpiredSessions(context.Background()); n != 7 || err != nil || f.calls != 3 {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v after %d statements; want 7, nil after 3", n, err, f.calls)
	}
	// A failing batch: the rows deleted before it, and the error.
	boom := errors.New("boom")
	f = &fakeQuerier{results: []result{{3, nil}, {0, boom}}}
	s = New(f, dialect(false))
	s.SweepBatch = 3
	if n, err := s.DeleteAllExpiredSessions(context.Background()); n != 3 || !errors.Is(err, boom) {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 3 and the error", n, err)
	}
}

func TestUpdateSessionExpiryWithoutRetry(t *testing.T) {
	f := &fakeQuerier{results: []result{{0, nil}}}
	err := New(f, dialect(false)).UpdateSessionExpiry(context.Background(), narvik.SessionIDFromToken("x"), time.Now())
	if !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("UpdateSessionExpiry of 0 rows = %v, want narvik.ErrSessionNotFound", err)
	}
}

func TestBuild(t *testing.T) {
	q := Build("`t`", true, "INSERT INTO {t} VALUES ($1, $2, $3, $4, $5)", "DELETE FROM {t} WHERE expires_at <= $1 LIMIT $2")
	for s, text := range q {
		if strings.Contains(text, "$") || strings.Contains(text, "{t}") || !strings.Contains(text, "`t`") {
			t.Errorf("statement %d = %q: want ? placeholders and the quoted table", s, text)
		}
	}
	if got := strings.Count(q[Insert], "?"); got != 5 {
		t.Errorf("Insert has %d placeholders, want 5", got)
	}
}
