package mongostore_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine is still running after the
// last test: every test disconnects the clients it made, and the store starts
// none of its own.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
