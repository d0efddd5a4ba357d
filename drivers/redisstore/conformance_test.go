package redisstore

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// TestConformance runs the shared suite on both topologies, and the per-slot
// (cluster) code path on the standalone server too, so that its ordering is
// exercised even where a cluster is not at hand.
func TestConformance(t *testing.T) {
	t.Run("Standalone", func(t *testing.T) {
		t.Parallel()
		client := standaloneClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, client) }, conformance.ApproximateExpiredCount())
	})
	t.Run("Cluster", func(t *testing.T) {
		t.Parallel()
		client := clusterClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			s := newTestStore(t, client)
			if s.single {
				t.Fatal("a *redis.ClusterClient must get the per-slot path")
			}
			return s
		}, conformance.ApproximateExpiredCount())
	})
	t.Run("PerSlotOnStandalone", func(t *testing.T) {
		t.Parallel()
		client := standaloneClient(t)
		conformance.Run(t, func(t testing.TB) narvik.SessionStore {
			s := newTestStore(t, client)
			s.single = false
			return s
		}, conformance.ApproximateExpiredCount())
	})
}
