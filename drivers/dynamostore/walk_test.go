package dynamostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.uber.org/goleak"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// scanCounter is a wrapper around the client, as an application might
// write one (for metrics, say): it counts Scan requests and fails the
// failAt-th one (0: none). New takes it because it takes dynamostore.API.
type scanCounter struct {
	dynamostore.API
	scans  atomic.Int64
	failAt int64
}

var errScanFailed = errors.New("scanCounter: Scan failed on purpose")

func (c *scanCounter) Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if n := c.scans.Add(1); n == c.failAt {
		return nil, errScanFailed
	}
	return c.API.Scan(ctx, in, opts...)
}

// fill saves n live sessions of a few users, and a few expired ones.
func fill(t *testing.T, s narvik.SessionStore, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now().Truncate(time.Millisecond)
	for i := range n + 5 {
		r := narvik.Record{ID: fmt.Sprintf("%064x", i), UserID: fmt.Sprintf("walker-%d", i%7), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if i >= n {
			r.ExpiresAt = now.Add(-time.Minute)
		}
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWalkStreams: AllSessions reads a page only when the loop needs it, in
// both modes. A loop that breaks after the first record has caused one Scan
// (one after the other) or at most two per segment (in parallel: each
// segment holds one page and may have asked for the next), not a read of
// the 20 pages of the table; and after the break no goroutine of the walk
// is left (the test runs alone, so goleak sees only the walk's).
func TestWalkStreams(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	httpClient, tr := testHTTPClient()
	client := newClient(t, endpoint(t), func(o *dynamodb.Options) { o.HTTPClient = httpClient })
	s, table := newTableStore(t, client, dynamostore.WithExpiredSweep(1)) // no TTL: the expired items stay
	fill(t, s, 200)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	for _, segments := range []int{1, 4} {
		wrapped := &scanCounter{API: client}
		w, err := dynamostore.New(wrapped, table, dynamostore.WithQueryPageSize(10), dynamostore.WithWalkSegments(segments))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, err := range w.AllSessions(ctx) {
			if err != nil {
				t.Fatalf("segments=%d: AllSessions: %v", segments, err)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("segments=%d: the loop saw %d records before its break, want 1", segments, n)
		}
		if got, limit := wrapped.scans.Load(), int64(max(1, 2*segments)); segments == 1 && got != 1 || got > limit {
			t.Fatalf("segments=%d: a walk stopped after one record sent %d Scans; want %d at most: the walk must stream, page by page", segments, got, limit)
		}
		// Walked to the end, the same store yields every live record once.
		seen := map[string]bool{}
		for r, err := range w.AllSessions(ctx) {
			if err != nil {
				t.Fatalf("segments=%d: AllSessions: %v", segments, err)
			}
			if seen[r.ID] || !r.ExpiresAt.After(time.Now()) {
				t.Fatalf("segments=%d: AllSessions yielded %s twice or expired", segments, r.ID[:8])
			}
			seen[r.ID] = true
		}
		if len(seen) != 200 {
			t.Fatalf("segments=%d: AllSessions yielded %d records, want the 200 live ones", segments, len(seen))
		}
	}
	tr.CloseIdleConnections()
	testkit.WaitFor(30*time.Second, func() bool { return goleak.Find(ignore) == nil })
	goleak.VerifyNone(t, ignore)
}

// TestWalkFailure: a Scan that fails mid-walk ends the walk with that error,
// yielded once as its last element, in both modes; in parallel the other
// segments are cancelled and their goroutines gone when the loop ends.
func TestWalkFailure(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	httpClient, tr := testHTTPClient()
	client := newClient(t, endpoint(t), func(o *dynamodb.Options) { o.HTTPClient = httpClient })
	s, table := newTableStore(t, client)
	fill(t, s, 100)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	for _, segments := range []int{1, 3} {
		w, err := dynamostore.New(&scanCounter{API: client, failAt: 4}, table, dynamostore.WithQueryPageSize(10), dynamostore.WithWalkSegments(segments))
		if err != nil {
			t.Fatal(err)
		}
		var errs []error
		records := 0
		for r, err := range w.AllSessions(ctx) {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if len(errs) > 0 {
				t.Fatalf("segments=%d: AllSessions yielded %s after an error; the error must be last", segments, r.ID[:8])
			}
			records++
		}
		if len(errs) != 1 || !errors.Is(errs[0], errScanFailed) {
			t.Fatalf("segments=%d: AllSessions yielded errors %v after %d records; want one, the Scan's", segments, errs, records)
		}
	}
	tr.CloseIdleConnections()
	testkit.WaitFor(30*time.Second, func() bool { return goleak.Find(ignore) == nil })
	goleak.VerifyNone(t, ignore)
}
