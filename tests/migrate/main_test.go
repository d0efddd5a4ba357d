// Package migrate_test moves sessions between real stores: narvik.Migrate
// from bbolt to Redis Cluster and to DynamoDB Local, and the dual store
// under traffic while Migrate runs beside it. It is a module of its own
// because it needs every driver; `make test` runs it through go.work and
// `make bench` runs its benchmark at full size.
package migrate_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: the
// workers of Migrate, the dual store and the store clients must all be
// gone when their test ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
