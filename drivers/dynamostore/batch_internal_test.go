package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
)

// throttlingDB is a fake DynamoDB whose BatchWriteItem processes at most
// `take` requests per call and hands the rest back as UnprocessedItems, as
// a throttled table does. Any other call fails the test (the embedded nil
// interface panics).
type throttlingDB struct {
	API
	take    int
	mu      sync.Mutex
	calls   int
	deleted map[string]int
	sizes   []int
}

func (f *throttlingDB) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	for table, reqs := range in.RequestItems {
		f.sizes = append(f.sizes, len(reqs))
		if len(reqs) > batchSize {
			return nil, fmt.Errorf("fake: %d requests in one batch, DynamoDB allows %d", len(reqs), batchSize)
		}
		n := min(f.take, len(reqs))
		for _, r := range reqs[:n] {
			f.deleted[r.DeleteRequest.Key[IDAttribute].(*types.AttributeValueMemberS).Value]++
		}
		out := &dynamodb.BatchWriteItemOutput{}
		if n < len(reqs) {
			out.UnprocessedItems = map[string][]types.WriteRequest{table: reqs[n:]}
		}
		return out, nil
	}
	return &dynamodb.BatchWriteItemOutput{}, nil
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id-%03d", i)
	}
	return out
}

// TestBatchRetriesUnprocessed: deletes that DynamoDB hands back unprocessed
// are sent again until all are done, in chunks of at most 25.
func TestBatchRetriesUnprocessed(t *testing.T) {
	db := &throttlingDB{take: 10, deleted: map[string]int{}}
	s, err := New(db, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.deleteIDs(context.Background(), ids(60))
	if err != nil || n != 60 {
		t.Fatalf("deleteIDs = %d, %v; want 60, nil", n, err)
	}
	if len(db.deleted) != 60 {
		t.Fatalf("%d distinct items deleted, want 60", len(db.deleted))
	}
	for id, c := range db.deleted {
		if c != 1 {
			t.Fatalf("%s deleted %d times, want once", id, c)
		}
	}
	// 25 -> 15 -> 5 -> 0, 25 -> 15 -> 5 -> 0, 10 -> 0: 7 calls.
	if db.calls != 7 {
		t.Fatalf("%d BatchWriteItem calls (sizes %v), want 7", db.calls, db.sizes)
	}
}

// TestBatchBackoffRespectsContext: a table that never processes anything
// makes the store back off, and a context deadline ends the wait promptly
// with an error that errors.Is context.DeadlineExceeded.
func TestBatchBackoffRespectsContext(t *testing.T) {
	db := &throttlingDB{take: 0, deleted: map[string]int{}}
	s, err := New(db, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	n, err := s.deleteIDs(ctx, ids(3))
	if !errors.Is(err, context.DeadlineExceeded) || n != 0 {
		t.Fatalf("deleteIDs on a table that processes nothing = %d, %v; want 0, DeadlineExceeded", n, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("deleteIDs took %v after a 300 ms deadline", took)
	}
	if db.calls < 2 {
		t.Fatalf("%d BatchWriteItem calls, want retries", db.calls)
	}
}

// TestUnstorableKeysNeedNoRoundTrip: IDs that cannot be DynamoDB keys are
// refused (save) with the typed error of the ID at fault, or found missing
// (reads), without calling the server; the fake panics on any call.
func TestUnstorableKeysNeedNoRoundTrip(t *testing.T) {
	s, err := New(&throttlingDB{}, "sessions")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	for _, bad := range []string{"", "\xff", string(make([]byte, 2049))} {
		err := s.SaveSession(ctx, narvik.Record{ID: bad, UserID: "u", ExpiresAt: now.Add(time.Hour), CreatedAt: now})
		if !errors.Is(err, narvik.ErrInvalidSessionID) || errors.Is(err, narvik.ErrInvalidUserID) || !errors.Is(err, ErrInvalidKey) {
			t.Errorf("SaveSession with ID %.8q = %v, want narvik.ErrInvalidSessionID (and the deprecated ErrInvalidKey)", bad, err)
		}
		err = s.SaveSession(ctx, narvik.Record{ID: "ok", UserID: bad, ExpiresAt: now.Add(time.Hour), CreatedAt: now})
		if !errors.Is(err, narvik.ErrInvalidUserID) || errors.Is(err, narvik.ErrInvalidSessionID) || !errors.Is(err, ErrInvalidKey) {
			t.Errorf("SaveSession with user ID %.8q = %v, want narvik.ErrInvalidUserID (and the deprecated ErrInvalidKey)", bad, err)
		}
		if _, err := s.FetchSession(ctx, bad); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("FetchSession(%.8q) = %v, want ErrSessionNotFound", bad, err)
		}
		if err := s.UpdateSessionExpiry(ctx, bad, now.Add(time.Hour)); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Errorf("UpdateSessionExpiry(%.8q) = %v, want ErrSessionNotFound", bad, err)
		}
		if err := s.DeleteSession(ctx, bad); err != nil {
			t.Errorf("DeleteSession(%.8q) = %v, want nil", bad, err)
		}
		if list, err := s.FetchSessionsForUser(ctx, bad); err != nil || list == nil || len(list) != 0 {
			t.Errorf("FetchSessionsForUser(%.8q) = %v, %v; want empty, nil", bad, list, err)
		}
		if err := s.DeleteSessionsForUser(ctx, bad); err != nil {
			t.Errorf("DeleteSessionsForUser(%.8q) = %v, want nil", bad, err)
		}
	}
}
