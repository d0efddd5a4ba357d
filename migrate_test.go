package narvik_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// fillMem saves live sessions (with data and distinct creation times) and
// expired ones in a new memstore, and returns it with the live records.
func fillMem(t testing.TB, live, expired int) (*memstore.Store, map[string]narvik.Record) {
	t.Helper()
	s := memstore.New()
	want := map[string]narvik.Record{}
	now := time.Now().Truncate(time.Millisecond)
	for i := range live + expired {
		r := narvik.Record{
			ID:        narvik.SessionIDFromToken(fmt.Sprintf("token-%d", i)),
			UserID:    fmt.Sprintf("user-%d", i%37),
			CreatedAt: now.Add(-time.Duration(i) * time.Minute),
			ExpiresAt: now.Add(time.Hour + time.Duration(i)*time.Millisecond),
			Data:      fmt.Appendf(nil, `{"i":%d}`, i),
		}
		if i >= live {
			r.ExpiresAt = now.Add(-time.Second)
		} else {
			want[r.ID] = r
		}
		if err := s.SaveSession(bg, r); err != nil {
			t.Fatal(err)
		}
	}
	return s, want
}

// contents returns every live record of an enumerable store by ID.
func contents(t testing.TB, s narvik.SessionStore) map[string]narvik.Record {
	t.Helper()
	out := map[string]narvik.Record{}
	for r, err := range s.(narvik.Enumerator).AllSessions(bg) {
		if err != nil {
			t.Fatal(err)
		}
		out[r.ID] = r
	}
	return out
}

func sameRecords(t testing.TB, got, want map[string]narvik.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("target holds %d sessions, want %d", len(got), len(want))
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Fatalf("session %.12s of %s was not copied", id, w.UserID)
		}
		if g.UserID != w.UserID || !g.ExpiresAt.Equal(w.ExpiresAt) || !g.CreatedAt.Equal(w.CreatedAt) || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("session %.12s copied as %+v, want %+v", id, g, w)
		}
	}
}

func TestMigrateCopiesEveryLiveSession(t *testing.T) {
	from, want := fillMem(t, 1000, 50)
	to := memstore.New()
	st, err := narvik.Migrate(bg, from, to, narvik.WithMigrateWorkers(4))
	if err != nil {
		t.Fatal(err)
	}
	sameRecords(t, contents(t, to), want)
	if st.Read != 1000 || st.Copied != 1000 || st.Existing != 0 || st.Expired != 0 || st.Revoked != 0 || st.Done() != 1000 {
		t.Fatalf("stats %+v, want 1000 read and copied", st)
	}
	if st.Elapsed <= 0 || st.Rate() <= 0 {
		t.Fatalf("stats %+v: no elapsed time or rate", st)
	}
	// The source is untouched.
	sameRecords(t, contents(t, from), want)
}

func TestMigrateIsIdempotent(t *testing.T) {
	from, want := fillMem(t, 500, 0)
	to := memstore.New()
	// One session is already in the target with a later expiry (extended
	// through a dual store, say): it is left as it is.
	var first narvik.Record
	for _, r := range want {
		first = r
		break
	}
	newer := first
	newer.ExpiresAt = first.ExpiresAt.Add(time.Hour)
	if err := to.SaveSession(bg, newer); err != nil {
		t.Fatal(err)
	}
	st, err := narvik.Migrate(bg, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied != 499 || st.Existing != 1 {
		t.Fatalf("first run %+v, want 499 copied and 1 existing", st)
	}
	again, err := narvik.Migrate(bg, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if again.Copied != 0 || again.Existing != 500 || again.Read != 500 {
		t.Fatalf("second run %+v, want 0 copied and 500 existing", again)
	}
	want[newer.ID] = newer
	sameRecords(t, contents(t, to), want)
}

// failingTarget fails every write after the first `after` with ErrDown, or
// calls cancel instead when cancel is set.
type failingTarget struct {
	narvik.SessionStore
	after  int64
	saves  atomic.Int64
	cancel context.CancelFunc
}

func (f *failingTarget) SaveSession(ctx context.Context, r narvik.Record) error {
	if f.saves.Add(1) > f.after {
		if f.cancel != nil {
			f.cancel()
			return ctx.Err()
		}
		return testkit.ErrDown
	}
	return f.SessionStore.SaveSession(ctx, r)
}

func TestMigrateResumesAfterAStop(t *testing.T) {
	for _, how := range []string{"store fails", "context cancelled"} {
		t.Run(how, func(t *testing.T) {
			from, want := fillMem(t, 2000, 100)
			to := memstore.New()
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			target := &failingTarget{SessionStore: to, after: 700}
			if how == "context cancelled" {
				target.cancel = cancel
			}
			st, err := narvik.Migrate(ctx, from, target, narvik.WithMigrateWorkers(8))
			switch how {
			case "store fails":
				if !errors.Is(err, testkit.ErrDown) {
					t.Fatalf("first run: %v, want the target's error", err)
				}
			default:
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("first run: %v, want context.Canceled", err)
				}
			}
			half := len(contents(t, to))
			if half < 700-8 || half > 700 || st.Copied != int64(half) {
				t.Fatalf("first run copied %d (stats %+v), want about 700 and the stats to agree", half, st)
			}
			// The rerun finishes the job with the same result as one clean run.
			st, err = narvik.Migrate(bg, from, to)
			if err != nil {
				t.Fatal(err)
			}
			if st.Copied+st.Existing != 2000 || st.Existing != int64(half) {
				t.Fatalf("rerun %+v, want %d existing and the rest copied", st, half)
			}
			sameRecords(t, contents(t, to), want)
		})
	}
}

// signOutOnWrite is a target that, just before it stores the session
// doomed, has it signed out of the source: the sign-out finished before
// the copy was written, the order that could bring it back.
type signOutOnWrite struct {
	narvik.SessionStore
	source narvik.SessionStore
	doomed string
	// failAfterWrite makes the write of doomed report an error although it
	// happened, as a timeout after the server applied it does.
	failAfterWrite bool
}

func (s *signOutOnWrite) SaveSession(ctx context.Context, r narvik.Record) error {
	if r.ID != s.doomed {
		return s.SessionStore.SaveSession(ctx, r)
	}
	if err := s.source.DeleteSession(ctx, r.ID); err != nil {
		return err
	}
	if err := s.SessionStore.SaveSession(ctx, r); err != nil {
		return err
	}
	if s.failAfterWrite {
		return testkit.ErrDown
	}
	return nil
}

func TestMigrateDoesNotBringBackASignedOutSession(t *testing.T) {
	for _, failAfterWrite := range []bool{false, true} {
		t.Run(fmt.Sprintf("write reports an error: %v", failAfterWrite), func(t *testing.T) {
			from, want := fillMem(t, 100, 0)
			doomed := slices.Sorted(maps.Keys(want))[42]
			to := memstore.New()
			st, err := narvik.Migrate(bg, from, &signOutOnWrite{SessionStore: to, source: from, doomed: doomed, failAfterWrite: failAfterWrite})
			if _, ferr := to.FetchSession(bg, doomed); !errors.Is(ferr, narvik.ErrSessionNotFound) {
				t.Fatalf("the session signed out during its copy is in the target (%v): it came back", ferr)
			}
			if failAfterWrite {
				if !errors.Is(err, testkit.ErrDown) {
					t.Fatalf("Migrate = %v, want the write's error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Revoked != 1 || st.Copied != 99 {
				t.Fatalf("stats %+v, want 1 revoked and 99 copied", st)
			}
			delete(want, doomed)
			sameRecords(t, contents(t, to), want)
		})
	}
}

func TestMigrateSkipsSessionsThatExpireOnTheWay(t *testing.T) {
	from := memstore.New()
	to := memstore.New()
	soon := narvik.Record{ID: narvik.SessionIDFromToken("soon"), UserID: "u", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(50 * time.Millisecond)}
	if err := from.SaveSession(bg, soon); err != nil {
		t.Fatal(err)
	}
	// The walk yields it while it is live; the target's turn comes later.
	slow := &slowTarget{SessionStore: to, wait: soon.ExpiresAt}
	st, err := narvik.Migrate(bg, from, slow)
	if err != nil {
		t.Fatal(err)
	}
	// It expired during its write: the check after it finds it gone from
	// the source and removes the copy.
	if st.Read != 1 || st.Revoked != 1 || st.Copied != 0 {
		t.Fatalf("stats %+v, want the session read and its copy removed", st)
	}
	if _, err := to.FetchSession(bg, soon.ID); !errors.Is(err, narvik.ErrSessionNotFound) {
		t.Fatalf("an expired session was copied: %v", err)
	}

	// A session already expired when its turn comes is not written at all.
	stale := &staleWalk{Store: memstore.New(), r: narvik.Record{ID: narvik.SessionIDFromToken("stale"), UserID: "u", ExpiresAt: time.Now().Add(-time.Second)}}
	counted := testkit.Wrap(memstore.New())
	st, err = narvik.Migrate(bg, stale, counted)
	if err != nil {
		t.Fatal(err)
	}
	if st.Expired != 1 || st.Copied != 0 || counted.Total() != 0 {
		t.Fatalf("stats %+v and %d target calls, want 1 expired and no call", st, counted.Total())
	}
}

// staleWalk yields one record, r, whatever its expiry: a walk that was
// slower than the record's last moments.
type staleWalk struct {
	*memstore.Store
	r narvik.Record
}

func (s *staleWalk) AllSessions(context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) { yield(s.r, nil) }
}

// slowTarget holds every write until wait has passed, and then for delay.
type slowTarget struct {
	narvik.SessionStore
	wait  time.Time
	delay time.Duration
}

func (s *slowTarget) SaveSession(ctx context.Context, r narvik.Record) error {
	if !s.wait.IsZero() {
		time.Sleep(time.Until(s.wait) + time.Millisecond)
	}
	time.Sleep(s.delay)
	return s.SessionStore.SaveSession(ctx, r)
}

func TestMigrateDryRunWritesNothing(t *testing.T) {
	from, want := fillMem(t, 300, 10)
	to := memstore.New()
	for _, r := range slices.Collect(maps.Values(want))[:100] {
		if err := to.SaveSession(bg, r); err != nil {
			t.Fatal(err)
		}
	}
	counted := testkit.Wrap(to)
	st, err := narvik.Migrate(bg, from, counted, narvik.WithMigrateDryRun())
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied != 200 || st.Existing != 100 || st.Read != 300 {
		t.Fatalf("dry run %+v, want 200 to copy and 100 existing", st)
	}
	if n := counted.Calls(testkit.Save) + counted.Calls(testkit.Delete); n != 0 {
		t.Fatalf("a dry run wrote %d times to the target", n)
	}
	if got := len(contents(t, to)); got != 100 {
		t.Fatalf("target holds %d after a dry run, want the 100 it had", got)
	}
}

// endless is a source that makes its records as the walk asks for them, so
// it holds nothing itself, and counts how many it has yielded.
type endless struct {
	narvik.SessionStore
	n       int
	yielded atomic.Int64
}

func (e *endless) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		for i := range e.n {
			r := narvik.Record{ID: narvik.SessionIDFromToken(fmt.Sprint(i)), UserID: "u", ExpiresAt: time.Now().Add(time.Hour), Data: make([]byte, 1024)}
			e.yielded.Add(1)
			if !yield(r, nil) {
				return
			}
		}
	}
}

// FetchSession finds every record it could have made.
func (e *endless) FetchSession(_ context.Context, id string) (narvik.Record, error) {
	return narvik.Record{ID: id, UserID: "u", ExpiresAt: time.Now().Add(time.Hour)}, nil
}

// countingTarget stores nothing and records the largest number of records
// yielded by src but not yet written.
type countingTarget struct {
	narvik.SessionStore
	src      *endless
	saved    atomic.Int64
	maxAhead atomic.Int64
}

func (c *countingTarget) SaveSession(context.Context, narvik.Record) error {
	ahead := c.src.yielded.Load() - c.saved.Load()
	for {
		m := c.maxAhead.Load()
		if ahead <= m || c.maxAhead.CompareAndSwap(m, ahead) {
			break
		}
	}
	time.Sleep(10 * time.Microsecond) // a store slower than the walk: the walk must wait
	c.saved.Add(1)
	return nil
}

func (c *countingTarget) DeleteSession(context.Context, string) error { return nil }

func TestMigrateMemoryIsBounded(t *testing.T) {
	const workers = 4
	src := &endless{SessionStore: memstore.New(), n: 20000}
	to := &countingTarget{SessionStore: memstore.New(), src: src}
	st, err := narvik.Migrate(bg, src, to, narvik.WithMigrateWorkers(workers))
	if err != nil {
		t.Fatal(err)
	}
	if st.Copied != 20000 {
		t.Fatalf("stats %+v, want 20000 copied", st)
	}
	// In flight at most: the channel (workers), one record in each worker,
	// and the one the walk holds while it waits to hand it over.
	if max := to.maxAhead.Load(); max > 2*workers+1 {
		t.Fatalf("up to %d records were read and not yet written; by design at most %d, whatever the size of the source", max, 2*workers+1)
	}
}

func TestMigrateProgress(t *testing.T) {
	from, _ := fillMem(t, 3000, 0)
	to := &slowTarget{SessionStore: memstore.New(), delay: 20 * time.Microsecond}
	var (
		calls   []narvik.MigrateStats
		inside  atomic.Bool
		overlap atomic.Bool
		mu      sync.Mutex
	)
	report := func(s narvik.MigrateStats) {
		if inside.Swap(true) {
			overlap.Store(true)
		}
		defer inside.Store(false)
		mu.Lock()
		calls = append(calls, s)
		mu.Unlock()
	}
	st, err := narvik.Migrate(bg, from, to, narvik.WithMigrateProgress(time.Millisecond, report))
	if err != nil {
		t.Fatal(err)
	}
	if overlap.Load() {
		t.Fatal("the progress callback was called concurrently with itself")
	}
	if len(calls) == 0 || calls[len(calls)-1] != st {
		t.Fatalf("the last progress report is not the final stats: %d calls, final %+v", len(calls), st)
	}
	for i := 1; i < len(calls); i++ {
		a, b := calls[i-1], calls[i]
		if b.Read < a.Read || b.Copied < a.Copied || b.Elapsed < a.Elapsed || b.Done() > b.Read {
			t.Fatalf("report %d went back or counted more than read: %+v after %+v", i, b, a)
		}
	}
}

func TestMigrateRefusesBadInput(t *testing.T) {
	from := memstore.New()
	for _, c := range []struct {
		name     string
		from, to narvik.SessionStore
		opts     []narvik.MigrateOption
		want     error
	}{
		{"nil source", nil, memstore.New(), nil, narvik.ErrNilStore},
		{"nil target", from, nil, nil, narvik.ErrNilStore},
		{"source cannot enumerate", testkit.Wrap(from), memstore.New(), nil, narvik.ErrCannotEnumerate},
		{"no workers", from, memstore.New(), []narvik.MigrateOption{narvik.WithMigrateWorkers(0)}, narvik.ErrInvalidOption},
		{"no interval", from, memstore.New(), []narvik.MigrateOption{narvik.WithMigrateProgress(0, func(narvik.MigrateStats) {})}, narvik.ErrInvalidOption},
	} {
		if _, err := narvik.Migrate(bg, c.from, c.to, c.opts...); !errors.Is(err, c.want) {
			t.Errorf("%s: Migrate = %v, want %v", c.name, err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := narvik.Migrate(ctx, from, memstore.New()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: Migrate = %v", err)
	}
}

func TestMigrateStopsOnAWalkError(t *testing.T) {
	from, _ := fillMem(t, 100, 0)
	boom := errors.New("walk broke")
	src := &brokenWalk{Store: from, after: 30, err: boom}
	st, err := narvik.Migrate(bg, src, memstore.New())
	if !errors.Is(err, boom) {
		t.Fatalf("Migrate = %v, want the walk's error", err)
	}
	if st.Read != 30 || st.Done() != 30 {
		t.Fatalf("stats %+v, want the 30 records read before the error dealt with", st)
	}
}

// brokenWalk yields after records of Store, then err.
type brokenWalk struct {
	*memstore.Store
	after int
	err   error
}

func (b *brokenWalk) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		n := 0
		for r, err := range b.Store.AllSessions(ctx) {
			if n == b.after {
				yield(narvik.Record{}, b.err)
				return
			}
			n++
			if !yield(r, err) {
				return
			}
		}
	}
}
