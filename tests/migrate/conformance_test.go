package migrate_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/dualstore"
	"github.com/narvik-go/narvik/storeurl"
)

// TestDualStoreConformance runs the conformance suite over a dual store
// from a bbolt file to Redis, the move the issue names: the dual store
// keeps the whole store contract while it moves sessions. Redis removes
// expired sessions itself, so the dual store declares native expiry.
func TestDualStoreConformance(t *testing.T) {
	conformance.Run(t, func(tb testing.TB) narvik.SessionStore {
		s, err := dualstore.New(newStore(tb, storeurl.Bolt), newStore(tb, storeurl.Redis))
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}, conformance.ApproximateExpiredCount())
}
