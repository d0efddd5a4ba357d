package dynamostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik/storekit"
)

// batchSize is BatchWriteItem's limit of requests per call.
const batchSize = 25

// Backoff for unprocessed batch items: DynamoDB returns UnprocessedItems when
// a partition is throttled, and asks callers to retry them with exponential
// backoff. The SDK's own retryer does not, because the call itself succeeded.
const (
	batchAttempts   = 10
	batchFirstDelay = 50 * time.Millisecond
	batchMaxDelay   = 5 * time.Second
)

// deleteIDs deletes the items with ids, batchSize per BatchWriteItem, and
// returns how many deletes went through (all of them unless err != nil).
func (s *Store) deleteIDs(ctx context.Context, ids []string) (int, error) {
	done := 0
	for len(ids) > 0 {
		n := min(len(ids), batchSize)
		reqs := make([]types.WriteRequest, n)
		for i, id := range ids[:n] {
			reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(id)}}
		}
		if err := s.batchWrite(ctx, reqs); err != nil {
			return done, err
		}
		done += n
		ids = ids[n:]
	}
	return done, nil
}

// batchWrite sends one batch and resends its unprocessed requests, waiting
// 50 ms, 100 ms, ... up to 5 s between attempts (with jitter), at most
// batchAttempts times, and never past ctx.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	delay := batchFirstDelay
	for attempt := 1; ; attempt++ {
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{s.table: reqs},
		})
		if err != nil {
			return storekit.Wrap(ctx, "dynamostore: BatchWriteItem", err)
		}
		reqs = out.UnprocessedItems[s.table]
		if len(reqs) == 0 {
			return nil
		}
		if attempt == batchAttempts {
			return fmt.Errorf("dynamostore: BatchWriteItem: %d deletes still unprocessed after %d attempts (the table is throttled)", len(reqs), attempt)
		}
		if err := sleep(ctx, jitter(delay)); err != nil {
			return storekit.Wrap(ctx, "dynamostore: BatchWriteItem: waiting to retry unprocessed items", err)
		}
		delay = min(2*delay, batchMaxDelay)
	}
}

// jitter returns a duration in [d/2, d), spreading retries of concurrent
// callers apart.
func jitter(d time.Duration) time.Duration {
	return d/2 + rand.N(d/2)
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
