package dynamostore

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik/storekit"
)

// scanSegments reads a whole Scan of the table, split into segments
// parallel segments, and hands each page's items to page. in is the
// request of every segment: scanSegments sets the page size, Segment,
// TotalSegments and ExclusiveStartKey on a copy of it. With more than one
// segment, page is called from one goroutine per segment, concurrently.
// The first error, of a Scan or of page, cancels the other segments and is
// returned; what prefixes Scan errors. No goroutine outlives the call.
func (s *Store) scanSegments(ctx context.Context, what string, in dynamodb.ScanInput, segments int, page func(context.Context, []map[string]types.AttributeValue) error) error {
	if s.opts.pageSize > 0 {
		in.Limit = aws.Int32(s.opts.pageSize)
	}
	return forEach(ctx, segments, segments, func(ctx context.Context, seg int) error {
		in := in // this segment's own request
		if segments > 1 {
			in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
		}
		for {
			out, err := s.db.Scan(ctx, &in)
			if err != nil {
				return storekit.Wrap(ctx, what+": Scan", err)
			}
			if err := page(ctx, out.Items); err != nil {
				return err
			}
			if len(out.LastEvaluatedKey) == 0 {
				return nil
			}
			in.ExclusiveStartKey = out.LastEvaluatedKey
		}
	})
}

// forEach calls do(ctx, i) for every i in [0, n), on at most workers
// goroutines at a time (in the calling goroutine when only one would run).
// The first error cancels the ctx the other calls got, stops the calls not
// yet started, and is returned; so does the end of ctx. Every goroutine has
// ended when it returns.
func forEach(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			if err := do(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, ran atomic.Int64
		wg        sync.WaitGroup
		once      sync.Once
		first     error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := do(ctx, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				ran.Add(1)
			}
		}()
	}
	wg.Wait()
	if first == nil && ran.Load() < int64(n) {
		return storekit.Wrap(ctx, "dynamostore", ctx.Err()) // the caller's ctx ended
	}
	return first
}
