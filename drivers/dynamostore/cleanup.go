package dynamostore

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik/storekit"
)

// sweepInFlight bounds the deletes that one segment of a sweep has in
// flight: a sweep sends one request per expired item, and without
// concurrency it would take one round trip each.
const sweepInFlight = 8

// DeleteAllExpiredSessions leaves expired items to DynamoDB's TTL and returns
// 0, unless the store was made WithExpiredSweep.
//
// With WithExpiredSweep(n) it scans the whole table in n parallel segments
// (strongly consistent reads, filter expiresAt <= now, keys only) and
// deletes each expired item it finds with a DeleteItem conditioned on the
// item still being there and expired, up to 8 at a time per segment. It
// returns how many items this call deleted: an item that another sweep,
// running at the same time on another machine, deleted first fails the
// condition and is not counted, so concurrent sweeps add up to exactly the
// number of items removed. If one segment fails, the others are cancelled
// and the error is returned with the count of what was deleted before.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	segments := s.opts.sweepSegments
	if segments == 0 {
		return 0, nil // DynamoDB's TTL deletes them; reads already ignore them
	}
	now := time.Now().UnixMilli()
	scan := dynamodb.ScanInput{
		TableName:                aws.String(s.table),
		ConsistentRead:           aws.Bool(true),
		FilterExpression:         aws.String("#exp <= :now"),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: namesFor("#exp", "#id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now),
		},
	}
	var deleted atomic.Int64
	err := s.scanSegments(ctx, "dynamostore: delete expired sessions", scan, segments, func(ctx context.Context, items []map[string]types.AttributeValue) error {
		ids, err := itemIDs(items)
		if err != nil {
			return err
		}
		return forEach(ctx, len(ids), sweepInFlight, func(ctx context.Context, i int) error {
			gone, err := s.deleteExpired(ctx, ids[i], now)
			if gone {
				deleted.Add(1)
			}
			return err
		})
	})
	return int(deleted.Load()), err
}

// deleteExpired deletes the item id if it is expired at now (Unix ms), and
// reports whether this call deleted it. The condition fails, and nothing is
// deleted or counted, when the item is gone (another sweep or DeleteSession
// removed it since the scan) or no longer expired.
func (s *Store) deleteExpired(ctx context.Context, id string, now int64) (bool, error) {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       key(id),
		// A missing item has no expiresAt, so the comparison is false.
		ConditionExpression:      aws.String("#exp <= :now"),
		ExpressionAttributeNames: namesFor("#exp"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now),
		},
	})
	switch {
	case isConditionFailed(err):
		return false, nil
	case err != nil:
		return false, storekit.Wrap(ctx, "dynamostore: delete expired sessions: DeleteItem", err)
	}
	return true, nil
}
