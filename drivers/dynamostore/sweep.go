package dynamostore

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DeleteAllExpiredSessions leaves expired items to DynamoDB's TTL and returns
// 0, unless the store was made WithExpiredSweep.
//
// With WithExpiredSweep(n) it scans the whole table in n parallel segments
// (strongly consistent reads, filter expiresAt <= now, keys only), deletes
// what it finds with BatchWriteItem, 25 per request, and returns how many
// items it deleted. If one segment fails, the others are cancelled and the
// error is returned with the count of what was deleted before.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	segments := s.opts.sweepSegments
	if segments == 0 {
		return 0, nil // DynamoDB's TTL deletes them; reads already ignore them
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	now := time.Now().UnixMilli()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		total    int
		firstErr error
	)
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.sweepSegment(ctx, seg, segments, now)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil && firstErr == nil {
				firstErr = err
				cancel() // stop the other segments
			}
		}()
	}
	wg.Wait()
	return total, firstErr
}

// sweepSegment scans one segment for items expired at now (Unix ms) and
// deletes them page by page, returning how many it deleted.
func (s *Store) sweepSegment(ctx context.Context, seg, segments int, now int64) (int, error) {
	in := &dynamodb.ScanInput{
		TableName:                aws.String(s.table),
		ConsistentRead:           aws.Bool(true),
		FilterExpression:         aws.String("#exp <= :now"),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: namesFor("#exp", "#id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now),
		},
		Segment:       aws.Int32(int32(seg)),
		TotalSegments: aws.Int32(int32(segments)),
	}
	if s.opts.pageSize > 0 {
		in.Limit = aws.Int32(s.opts.pageSize)
	}
	return s.deletePages(ctx, func(ctx context.Context, start map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		in.ExclusiveStartKey = start
		out, err := s.db.Scan(ctx, in)
		if err != nil {
			return nil, nil, wrap(ctx, "delete expired sessions: Scan", err)
		}
		return out.Items, out.LastEvaluatedKey, nil
	})
}
