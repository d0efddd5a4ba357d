package sqltest

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/internal/sqlstore"
)

// Store is a SQL driver's store as the shared tests use it.
type Store interface {
	narvik.SessionStore
	narvik.SchemaEnsurer
	narvik.Enumerator
}

// NewStore returns a store on a table no other test uses: open makes it
// (New with WithTable), EnsureSchema creates the table, and when the test
// ends the store is closed (when it has a Close) and drop removes the
// table.
func NewStore[S Store](tb testing.TB, open func(table string) (S, error), drop func(ctx context.Context, table string) error) S {
	tb.Helper()
	table := RandomTable()
	s, err := open(table)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.EnsureSchema(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if c, ok := any(s).(io.Closer); ok {
			if err := c.Close(); err != nil {
				tb.Errorf("close: %v", err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := drop(ctx, table); err != nil {
			tb.Errorf("drop table %s: %v", table, err)
		}
	})
	return s
}

// Conformance runs conformance.Run on the stores of newStore, and again as
// "SmallBatches" with sweeps of 7 rows and walk pages of 3 (set on the
// store's core, which core returns), so that every sweep and walk of the
// suite crosses batches.
func Conformance[S narvik.SessionStore](t *testing.T, newStore func(testing.TB) S, core func(S) *sqlstore.Store) {
	conformance.Run(t, func(tb testing.TB) narvik.SessionStore { return newStore(tb) })
	t.Run("SmallBatches", func(t *testing.T) {
		conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
			s := newStore(tb)
			c := core(s)
			c.SweepBatch, c.WalkPage = 7, 3
			return s
		})
	})
}
