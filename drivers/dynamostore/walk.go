package dynamostore

import (
	"context"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// AllSessions yields every live session of the table once, for migrations
// and operator tools; it implements narvik.Enumerator. It reads the table
// with a paginated, strongly consistent Scan (one request per 1 MB page or
// per WithQueryPageSize items), following LastEvaluatedKey, so a session
// saved before the walk began is never missed; expired items are filtered
// out by the server (which saves bandwidth, not read capacity) and again
// here. A walk costs a read of the whole table: one read capacity unit per
// 4 KB of items.
//
// By default the pages are read one after the other, in the caller's
// goroutine, and the walk holds one page in memory. WithWalkSegments(n)
// reads n segments in parallel, one goroutine each, holding at most one
// page per segment; the goroutines end when the walk does (the loop breaks,
// the table is read, or an error is yielded). Records come in DynamoDB's
// hash order, interleaved across segments.
//
// A Scan never yields an item twice, whatever is written meanwhile; items
// saved or deleted during the walk may or may not be yielded. An item that
// does not decode is yielded as an error wrapping narvik.ErrBadRecord, and
// ends the walk.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	const what = "dynamostore: all sessions"
	now := time.Now().UnixMilli()
	in := dynamodb.ScanInput{
		TableName:                aws.String(s.table),
		ConsistentRead:           aws.Bool(true),
		FilterExpression:         aws.String("#exp > :now"),
		ExpressionAttributeNames: namesFor("#exp"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": num(now),
		},
	}
	if segments := s.opts.walkSegments; segments > 1 {
		return s.walkSegments(ctx, what, in, segments)
	}
	if s.opts.pageSize > 0 {
		in.Limit = aws.Int32(s.opts.pageSize)
	}
	return storekit.Walk(ctx, what, func(ctx context.Context, start map[string]types.AttributeValue) ([]narvik.Record, map[string]types.AttributeValue, bool, error) {
		in := in // each page its own request: the iterator may run more than once
		in.ExclusiveStartKey = start
		out, err := s.db.Scan(ctx, &in)
		if err != nil {
			return nil, nil, false, err
		}
		records, err := fromItems(out.Items)
		return records, out.LastEvaluatedKey, len(out.LastEvaluatedKey) == 0, err
	})
}

// walkSegments is AllSessions over a parallel Scan: scanSegments reads the
// segments in goroutines of their own and hands each decoded page over a
// channel to the loop, which yields the live records. When the walk ends
// for any reason, the segments are cancelled and waited for.
func (s *Store) walkSegments(ctx context.Context, what string, in dynamodb.ScanInput, segments int) iter.Seq2[narvik.Record, error] {
	return func(yield func(narvik.Record, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(narvik.Record{}, storekit.Wrap(ctx, what, err))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		pages := make(chan []narvik.Record)
		result := make(chan error, 1)
		go func() {
			result <- s.scanSegments(ctx, what, in, segments, func(ctx context.Context, items []map[string]types.AttributeValue) error {
				records, err := fromItems(items)
				if err != nil {
					return err
				}
				select {
				case pages <- records:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			close(pages)
		}()
		defer func() {
			cancel()
			for range pages { // until every segment has returned
			}
		}()
		for page := range pages {
			now := time.Now()
			for _, r := range page {
				if storekit.Live(r.ExpiresAt, now) && !yield(r, nil) {
					return
				}
			}
		}
		if err := <-result; err != nil {
			yield(narvik.Record{}, err) // scanSegments said what failed
		}
	}
}

// fromItems decodes a page of items.
func fromItems(items []map[string]types.AttributeValue) ([]narvik.Record, error) {
	records := make([]narvik.Record, 0, len(items))
	for _, item := range items {
		r, err := fromItem(item)
		if err != nil {
			return nil, err
		}
		records = append(records, r)
	}
	return records, nil
}
