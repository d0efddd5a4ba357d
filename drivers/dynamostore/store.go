package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/narvik-go/narvik"
)

// Errors returned by New and EnsureTable, matched with errors.Is.
var (
	// ErrNilClient is returned by New when the DynamoDB client is nil.
	ErrNilClient = errors.New("dynamostore: nil DynamoDB client")
	// ErrInvalidTable is returned by New when the table name is not a valid
	// DynamoDB table name (3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.').
	ErrInvalidTable = errors.New("dynamostore: invalid table name")
	// ErrInvalidOption is returned by New when an option's value is unusable.
	// The wrapping error says which.
	ErrInvalidOption = errors.New("dynamostore: invalid option")
	// ErrTableSchema is returned by EnsureTable when the table exists but
	// does not have the layout documented in the package documentation (key
	// schema, the userId-index GSI, the TTL attribute). EnsureTable never
	// changes an existing key schema or index; fix the table by hand or with
	// your infrastructure-as-code.
	ErrTableSchema = errors.New("dynamostore: table does not match the session schema")
	// ErrInvalidKey is returned by SaveSession when the session ID or the
	// user ID cannot be a DynamoDB key: empty, not valid UTF-8, or longer than
	// 2048 bytes (DynamoDB's key limit). Reads of such an ID find nothing.
	ErrInvalidKey = errors.New("dynamostore: session ID or user ID cannot be stored")
)

// Store is a narvik.SessionStore on one DynamoDB table. It is safe for
// concurrent use, starts no goroutines that outlive a call, and needs no
// Close: the *dynamodb.Client belongs to the caller.
type Store struct {
	db    api
	table string
	opts  options
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.NativeExpiry = (*Store)(nil)
)

// api is the part of *dynamodb.Client the store uses. Tests in this package
// put a fake behind it to reach paths a real server rarely takes (throttled
// batch writes).
type api interface {
	dynamodb.DescribeTableAPIClient
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTimeToLive(context.Context, *dynamodb.DescribeTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(context.Context, *dynamodb.UpdateTimeToLiveInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// tableName is DynamoDB's rule for table names.
var tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

// New returns a store on table, used through client. It does not touch the
// table: call EnsureTable once at start-up, or create the table yourself as
// the package documentation describes.
func New(client *dynamodb.Client, table string, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, ErrNilClient
	}
	return newStore(client, table, opts...)
}

func newStore(db api, table string, opts ...Option) (*Store, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("%w: %q (want 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.')", ErrInvalidTable, table)
	}
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.err != nil {
		return nil, o.err
	}
	return &Store{db: db, table: table, opts: o}, nil
}

// ExpiresNatively reports whether the store leaves expired items to
// DynamoDB's TTL, in which case DeleteAllExpiredSessions returns 0. It is
// true unless WithExpiredSweep was given. It implements narvik.NativeExpiry.
func (s *Store) ExpiresNatively() bool { return s.opts.sweepSegments == 0 }

// wrap adds the operation to err and makes sure that a call cut short by its
// context matches context.Canceled or context.DeadlineExceeded with
// errors.Is, whatever the SDK wrapped.
func wrap(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("dynamostore: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("dynamostore: %s: %w", op, err)
}
