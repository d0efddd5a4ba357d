package storeurl

import (
	"context"

	"github.com/narvik-go/narvik/storeurl/dynamourl"
	"github.com/narvik-go/narvik/storeurl/mongourl"
	"github.com/narvik-go/narvik/storeurl/mysqlurl"
	"github.com/narvik-go/narvik/storeurl/postgresurl"
	"github.com/narvik-go/narvik/storeurl/redisurl"
	"github.com/narvik-go/narvik/storeurl/sqliteurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Kind names a form of store URL, and so a driver.
type Kind = urlopen.Kind

// The kinds of store URL.
const (
	Memory       = urlopen.Memory
	Bolt         = urlopen.Bolt
	Redis        = urlopen.Redis
	RedisCluster = urlopen.RedisCluster
	MongoDB      = urlopen.MongoDB
	DynamoDB     = urlopen.DynamoDB
	Postgres     = urlopen.Postgres
	MySQL        = urlopen.MySQL
	SQLite       = urlopen.SQLite
)

// Forms is the list of URL forms, for usage texts and error messages.
const Forms = "memory, bolt:PATH, redis://HOST:PORT[/DB], rediss://..., redis-cluster://H1:P1,H2:P2, rediss-cluster://..., mongodb://..., mongodb+srv://..., dynamodb://HOST:PORT, dynamodb://aws, postgres://USER@HOST:PORT/DB, mysql://USER:PASS@HOST:PORT/DB, sqlite:PATH"

// Defaults of the parameters that say where the sessions live.
const (
	DefaultMongoDatabase   = mongourl.DefaultDatabase
	DefaultMongoCollection = mongourl.DefaultCollection
	DefaultDynamoTable     = dynamourl.DefaultTable
	// DefaultDynamoRegion is the region of a dynamodb://HOST:PORT endpoint
	// unless region= says otherwise; DynamoDB Local accepts any.
	DefaultDynamoRegion = dynamourl.DefaultRegion
)

// Spec is a parsed store URL: what Open would open, checked without any
// I/O.
type Spec = urlopen.Spec

// Opened is an open store.
type Opened = urlopen.Opened

// Option configures Open.
type Option = urlopen.Option

// Create lets Open create a store that opening can create: a bbolt or
// SQLite file that does not exist yet. Without it, a missing file is an
// error, so that a typo in a path does not quietly give an empty store.
// Stores on a server are never created by Open; see Opened.EnsureSchema.
func Create() Option { return urlopen.Create() }

// Openers returns the opener of every driver with a server client or a
// heavy library, for urlopen.New: with them a Set opens every form of
// Forms.
func Openers() []urlopen.Opener {
	return []urlopen.Opener{
		redisurl.Opener(),
		mongourl.Opener(),
		dynamourl.Opener(),
		postgresurl.Opener(),
		mysqlurl.Opener(),
		sqliteurl.Opener(),
	}
}

// every is the Set of every driver.
func every() *urlopen.Set { return urlopen.New(Openers()...) }

// Parse checks a store URL (see the package documentation for the forms)
// and returns what it names. It does no I/O. Errors wrap ErrBadURL and say
// what is wrong.
func Parse(raw string) (*Spec, error) { return every().Parse(raw) }

// Open parses rawURL and opens the store it names (see Spec.Open).
func Open(ctx context.Context, rawURL string, opts ...Option) (*Opened, error) {
	return every().Open(ctx, rawURL, opts...)
}
