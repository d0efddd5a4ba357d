package migrate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
)

// guard is a migration target that fails the test when Migrate writes an
// expired session, and cancels the run after cancelAfter writes when
// cancel is set: a run killed halfway.
type guard struct {
	narvik.SessionStore
	t           testing.TB
	writes      atomic.Int64
	cancelAfter int64
	cancel      context.CancelFunc
}

func (g *guard) SaveSession(ctx context.Context, r narvik.Record) error {
	if !time.Now().Before(r.ExpiresAt) {
		g.t.Errorf("Migrate wrote session %.12s, which expired at %v", r.ID, r.ExpiresAt)
	}
	if n := g.writes.Add(1); g.cancel != nil && n == g.cancelAfter {
		g.cancel()
	}
	return g.SessionStore.SaveSession(ctx, r)
}

// targets are the stores the issue names for a move off the embedded
// default.
var targets = []storeurl.Kind{storeurl.RedisCluster, storeurl.DynamoDB}

func TestMigrateFromBolt(t *testing.T) {
	n := size(t, "NARVIK_MIGRATE_N", 2000)
	from := fastBolt(t)
	start := time.Now()
	live := issue(t, from, n, n/4, 0)
	expired := issueExpired(t, from, n/10)
	t.Logf("%d sessions issued in bbolt in %v", n+n/10, time.Since(start).Round(time.Millisecond))
	for _, kind := range targets {
		t.Run("to_"+string(kind), func(t *testing.T) {

			// A clean run.
			to := newStore(t, kind)
			st, err := narvik.Migrate(bg, from, &guard{SessionStore: to, t: t})
			if err != nil {
				t.Fatal(err)
			}
			if st.Read != int64(n) || st.Copied != int64(n) || st.Existing != 0 {
				t.Fatalf("stats %+v, want %d read and copied", st, n)
			}
			if got := validating(t, to, live); got != n {
				t.Fatalf("%d of the %d tokens issued before validate through the new store", got, n)
			}
			if got := validating(t, to, expired); got != 0 {
				t.Fatalf("%d expired sessions validate through the new store", got)
			}
			t.Logf("%d sessions, bbolt to %s: %v, %.0f sessions/s", n, kind, st.Elapsed.Round(time.Millisecond), st.Rate())

			// A second run copies nothing.
			again, err := narvik.Migrate(bg, from, &guard{SessionStore: to, t: t})
			if err != nil {
				t.Fatal(err)
			}
			if again.Copied != 0 || again.Existing != int64(n) {
				t.Fatalf("second run %+v, want 0 copied and %d existing", again, n)
			}

			// A run killed halfway, then run again, ends where the clean run did.
			resumed := newStore(t, kind)
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			half, err := narvik.Migrate(ctx, from, &guard{SessionStore: resumed, t: t, cancelAfter: int64(n / 2), cancel: cancel})
			if !errors.Is(err, context.Canceled) || half.Copied >= int64(n) || half.Copied == 0 {
				t.Fatalf("the killed run: %+v, %v; want part of the sessions copied and context.Canceled", half, err)
			}
			rest, err := narvik.Migrate(bg, from, &guard{SessionStore: resumed, t: t})
			if err != nil {
				t.Fatal(err)
			}
			if rest.Copied+rest.Existing != int64(n) || rest.Existing < half.Copied {
				t.Fatalf("the rerun %+v after %+v, want the %d sessions between them", rest, half, n)
			}
			if got := validating(t, resumed, live); got != n {
				t.Fatalf("after the rerun %d of %d tokens validate", got, n)
			}
			sameRecords(t, to, resumed, live)
		})
	}
}

// sameRecords fails unless a and b hold the same record for every session.
func sameRecords(t *testing.T, a, b narvik.SessionStore, sessions []issued) {
	t.Helper()
	each(t, len(sessions), func(i int) error {
		id := sessions[i].id
		ra, err := a.FetchSession(bg, id)
		if err != nil {
			return err
		}
		rb, err := b.FetchSession(bg, id)
		if err != nil {
			return err
		}
		if ra.UserID != rb.UserID || !ra.ExpiresAt.Equal(rb.ExpiresAt) || !ra.CreatedAt.Equal(rb.CreatedAt) || !bytes.Equal(ra.Data, rb.Data) {
			return fmt.Errorf("session %.12s: the clean run copied %+v, the resumed one %+v", id, ra, rb)
		}
		return nil
	})
}
