package mongostore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// TestConformance runs the shared suite; every subtest gets a fresh collection
// (dropped afterwards) on one client.
func TestConformance(t *testing.T) {
	client := connect(t)
	// A server with TTL indexes (mongod) removes expired documents by
	// itself; one that refuses them (FerretDB) leaves the count exact.
	var opts []conformance.Option
	if probe, _ := newStore(t, client); probe.ExpiresNatively() {
		opts = append(opts, conformance.ApproximateExpiredCount())
	}
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s, _ := newStore(t, client)
		return s
	}, opts...)
}
