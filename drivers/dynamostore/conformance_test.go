package dynamostore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// TestConformance runs the shared suite with the default mode: expired items
// are left to DynamoDB's TTL, reads filter them out, and
// DeleteAllExpiredSessions returns 0 (ExpiresNatively is true). AllSessions
// reads its pages one after the other.
func TestConformance(t *testing.T) {
	t.Parallel() // own tables; pauses until the serial tests (the outage test counts goroutines) are done
	client := newClient(t, endpoint(t))
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s, _ := newTableStore(t, client)
		if !s.ExpiresNatively() {
			t.Fatal("ExpiresNatively = false without WithExpiredSweep")
		}
		return s
	}, conformance.ApproximateExpiredCount())
}

// TestConformanceSweep runs the shared suite with WithExpiredSweep: then
// DeleteAllExpiredSessions must delete and count every expired item exactly,
// concurrent sweeps included. Pages of 10 items make every Scan and Query
// follow LastEvaluatedKey, and AllSessions reads 3 segments in parallel.
func TestConformanceSweep(t *testing.T) {
	t.Parallel() // own tables; pauses until the serial tests (the outage test counts goroutines) are done
	client := newClient(t, endpoint(t))
	conformance.Run(t, func(t testing.TB) narvik.SessionStore {
		s, _ := newTableStore(t, client, dynamostore.WithExpiredSweep(3), dynamostore.WithQueryPageSize(10), dynamostore.WithWalkSegments(3))
		if s.ExpiresNatively() {
			t.Fatal("ExpiresNatively = true with WithExpiredSweep")
		}
		return s
	})
}
