package dynamostore

import "fmt"

// Option configures a Store.
type Option func(*options)

type options struct {
	pageSize      int32 // Query/Scan Limit; 0 lets DynamoDB fill 1 MB pages
	sweepSegments int   // 0: rely on TTL; n: DeleteAllExpiredSessions scans with n segments
	err           error // the first unusable option, reported by New
}

// maxSegments is DynamoDB's limit for TotalSegments in a parallel Scan.
const maxSegments = 1_000_000

func (o *options) fail(format string, args ...any) {
	if o.err == nil {
		o.err = fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
	}
}

// WithQueryPageSize sets the Limit of each Query and Scan request: at most n
// items are read per page. By default DynamoDB fills pages up to its 1 MB
// cap. The store always follows LastEvaluatedKey, so the page size only
// trades round trips for smaller requests; tests use it to force many pages.
// n must be positive.
func WithQueryPageSize(n int) Option {
	return func(o *options) {
		if n <= 0 || n > 1<<30 {
			o.fail("WithQueryPageSize(%d): want 1 to %d", n, 1<<30)
			return
		}
		o.pageSize = int32(n)
	}
}

// WithExpiredSweep makes DeleteAllExpiredSessions delete expired items
// itself, with a parallel Scan of the table in segments segments (1 to
// 1,000,000; one goroutine per segment, for the duration of the call), and
// return how many it deleted. Then ExpiresNatively reports false and
// EnsureTable does not enable TTL, so that the count is exact (DynamoDB's TTL
// would delete some expired items before the sweep sees them). A sweep reads
// the whole table, since a Scan filter is applied after the read: schedule it
// rarely. The default, native TTL, costs nothing.
func WithExpiredSweep(segments int) Option {
	return func(o *options) {
		if segments <= 0 || segments > maxSegments {
			o.fail("WithExpiredSweep(%d): want 1 to %d segments", segments, maxSegments)
			return
		}
		o.sweepSegments = segments
	}
}
