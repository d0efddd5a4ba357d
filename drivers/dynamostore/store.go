package dynamostore

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// driver names the package in errors.
const driver = "dynamostore"

// Store is a narvik.SessionStore on one DynamoDB table. It is safe for
// concurrent use, starts no goroutine that outlives a call, and needs no
// Close: the client belongs to the caller.
type Store struct {
	db    API
	table string
	opts  options
	// tableName and consistent are the TableName and ConsistentRead of the
	// per-request GetItem, made once: the client only reads its input, and
	// aws.String and aws.Bool allocate at every call.
	tableName  *string
	consistent *bool
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.NativeExpiry  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
	_ API                  = (*dynamodb.Client)(nil)
)

// API is the part of the DynamoDB client the store calls, exactly: a
// *dynamodb.Client satisfies it, and so do a DAX client and any wrapper or
// test double with these methods.
//
// A DAX client serves only the item operations: EnsureSchema needs
// DescribeTable, CreateTable and the TTL calls, which DAX does not
// implement, so run it with a *dynamodb.Client (or create the table with
// your own tools). FetchSession reads with ConsistentRead, which DAX passes
// through to DynamoDB uncached.
type API interface {
	// Items.
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)

	// The table, for EnsureSchema only.
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// tableName is DynamoDB's rule for table names.
var tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

// New returns a store on table, used through client. It does no I/O: call
// EnsureSchema once at start-up, or create the table yourself as the
// package documentation describes.
//
// A nil client gives an error wrapping narvik.ErrNilClient; a table name
// DynamoDB would refuse gives ErrInvalidTable and an unusable option an
// error wrapping narvik.ErrInvalidOption (both match the latter).
func New(client API, table string, opts ...Option) (*Store, error) {
	if c, ok := client.(*dynamodb.Client); client == nil || ok && c == nil {
		return nil, storekit.NilClient(driver, "client")
	}
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("%w: %q (want 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.')", ErrInvalidTable, table)
	}
	var o options
	storekit.Apply(&o, opts)
	if o.err != nil {
		return nil, o.err
	}
	return &Store{db: client, table: table, opts: o, tableName: aws.String(table), consistent: aws.Bool(true)}, nil
}

// ExpiresNatively reports whether the store leaves expired items to
// DynamoDB's TTL, in which case DeleteAllExpiredSessions returns 0. It is
// true unless WithExpiredSweep was given. It implements narvik.NativeExpiry.
func (s *Store) ExpiresNatively() bool { return s.opts.sweepSegments == 0 }

// Option configures a Store.
type Option func(*options)

type options struct {
	pageSize      int32 // Query/Scan Limit; 0 lets DynamoDB fill 1 MB pages
	sweepSegments int   // 0: rely on TTL; n: DeleteAllExpiredSessions scans with n segments
	walkSegments  int   // AllSessions scans with this many segments; 0 means 1
	err           error // the first unusable option, reported by New
}

// maxSegments is DynamoDB's limit for TotalSegments in a parallel Scan.
const maxSegments = 1_000_000

func (o *options) fail(format string, args ...any) {
	if o.err == nil {
		o.err = storekit.InvalidOption(driver, format, args...)
	}
}

// checkSegments reports whether n can be the TotalSegments of a Scan, and
// records the failure of option name if not.
func (o *options) checkSegments(name string, n int) bool {
	if n <= 0 || n > maxSegments {
		o.fail("%s(%d): want 1 to %d segments", name, n, maxSegments)
		return false
	}
	return true
}

// WithQueryPageSize sets the Limit of each Query and Scan request: at most n
// items are read per page. By default DynamoDB fills pages up to its 1 MB
// cap. The store always follows LastEvaluatedKey, so the page size only
// trades round trips for smaller requests (and, in AllSessions, memory);
// tests use it to force many pages. n must be positive.
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
// 1,000,000), and return exactly how many this call deleted, even while
// other processes sweep the same table. Then ExpiresNatively reports false
// and EnsureSchema does not enable TTL, so that the count is exact
// (DynamoDB's TTL would delete some expired items before the sweep sees
// them). A sweep reads the whole table, since a Scan filter is applied
// after the read: schedule it rarely (see the package documentation for
// its cost). The default, native TTL, costs nothing.
func WithExpiredSweep(segments int) Option {
	return func(o *options) {
		if o.checkSegments("WithExpiredSweep", segments) {
			o.sweepSegments = segments
		}
	}
}

// WithWalkSegments makes AllSessions scan the table in segments parallel
// segments (1 to 1,000,000; the default is 1, one Scan after the other).
// Each segment is read by a goroutine of its own, for the duration of the
// walk, and holds at most one page (1 MB, or WithQueryPageSize items) that
// the loop has not taken yet: more segments walk a large table faster on a
// table with the capacity for it, at that cost in memory.
func WithWalkSegments(segments int) Option {
	return func(o *options) {
		if o.checkSegments("WithWalkSegments", segments) {
			o.walkSegments = segments
		}
	}
}
