package storeurl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/drivers/mysqlstore"
	"github.com/narvik-go/narvik/drivers/postgresstore"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/drivers/sqlitestore"
)

// Option configures Open.
type Option func(*openConfig)

type openConfig struct {
	create bool
}

// Create lets Open create a store that opening can create: a bbolt or
// SQLite file that does not exist yet. Without it, a missing file is an error, so that
// a typo in a path does not quietly give an empty store. Stores on a server
// are never created by Open; see EnsureSchema.
func Create() Option { return func(c *openConfig) { c.create = true } }

// Opened is an open store.
type Opened struct {
	// Store is the driver's store, with the optional interfaces it
	// implements (narvik.Enumerator, narvik.SchemaEnsurer, ...).
	Store narvik.SessionStore
	// Spec is what the URL named.
	Spec *Spec

	close func() error
}

// Description says which store this is, for banners and logs.
func (o *Opened) Description() string { return o.Spec.Description() }

// Close releases the clients and files Open opened. The Store must not be
// used afterwards.
func (o *Opened) Close() error {
	if o.close == nil {
		return nil
	}
	return o.close()
}

// EnsureSchema creates what the store needs on its server (a table,
// indexes, a TTL setting) when it is missing, and checks what exists; it is
// idempotent. It reports false, and does nothing, for a store that needs no
// schema.
func (o *Opened) EnsureSchema(ctx context.Context) (bool, error) {
	if se, ok := o.Store.(narvik.SchemaEnsurer); ok {
		return true, se.EnsureSchema(ctx)
	}
	return false, nil
}

// Open parses rawURL and opens the store it names (see Spec.Open).
func Open(ctx context.Context, rawURL string, opts ...Option) (*Opened, error) {
	s, err := Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return s.Open(ctx, opts...)
}

// Open opens the store and makes sure it answers: a ping or a read for a
// server, the file lock for a bbolt file. It writes nothing on a server.
// Errors wrap ErrUnreachable (the store cannot be reached or opened) or
// ErrBadURL (a value the driver refuses), and the cause. ctx bounds the
// whole opening; give it a deadline, as an unreachable server may
// otherwise be retried for long.
func (s *Spec) Open(ctx context.Context, opts ...Option) (*Opened, error) {
	var cfg openConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	o := &Opened{Spec: s}
	var err error
	switch s.Kind {
	case Memory:
		o.Store = memstore.New()
	case Bolt:
		err = s.openBolt(o, cfg)
	case Redis, RedisCluster:
		err = s.openRedis(ctx, o)
	case MongoDB:
		err = s.openMongo(ctx, o)
	case DynamoDB:
		err = s.openDynamo(ctx, o)
	case Postgres:
		err = s.openPostgres(ctx, o)
	case MySQL:
		err = s.openMySQL(ctx, o)
	case SQLite:
		err = s.openSQLite(o, cfg)
	default:
		err = fmt.Errorf("%w: kind %q", ErrBadURL, s.Kind)
	}
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Spec) unreachable(err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnreachable, s.desc, err)
}

func (s *Spec) refused(err error) error {
	return fmt.Errorf("%w: %s: %w", ErrBadURL, s.desc, err)
}

// missing refuses a file that does not exist, unless Create was given.
func (s *Spec) missing(cfg openConfig) error {
	if _, err := os.Stat(s.path); errors.Is(err, fs.ErrNotExist) && !cfg.create {
		return s.unreachable(errors.New("no such file (narvik ensure-schema or migrate -to creates one)"))
	}
	return nil
}

func (s *Spec) openBolt(o *Opened, cfg openConfig) error {
	if err := s.missing(cfg); err != nil {
		return err
	}
	st, err := boltstore.Open(s.path)
	if err != nil {
		return s.unreachable(err)
	}
	o.Store, o.close = st, st.Close
	return nil
}

func (s *Spec) openRedis(ctx context.Context, o *Opened) error {
	var client redis.UniversalClient
	var ping func() error
	if s.Kind == RedisCluster {
		c := redis.NewClusterClient(s.cluster)
		client = c
		// Every primary must answer: a session may live on any of them.
		ping = func() error {
			return c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return n.Ping(ctx).Err() })
		}
	} else {
		c := redis.NewClient(s.redis)
		client = c
		ping = func() error { return c.Ping(ctx).Err() }
	}
	var ropts []redisstore.Option
	if s.prefix != "" {
		ropts = append(ropts, redisstore.WithKeyPrefix(s.prefix))
	}
	st, err := redisstore.New(client, ropts...)
	if err != nil {
		client.Close()
		return s.refused(err)
	}
	if err := ping(); err != nil {
		client.Close()
		return s.unreachable(err)
	}
	o.Store, o.close = st, client.Close
	return nil
}

func (s *Spec) openMongo(ctx context.Context, o *Opened) error {
	opts := s.mongo
	if opts == nil {
		// mongodb+srv://: applying it looks the hosts up in DNS.
		opts = options.Client().ApplyURI(s.mongoURI)
		if err := opts.Validate(); err != nil {
			return s.unreachable(err)
		}
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return s.refused(err)
	}
	disconnect := func() error { return client.Disconnect(context.Background()) }
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		disconnect()
		return s.unreachable(err)
	}
	st, err := mongostore.New(client.Database(s.database).Collection(s.collection))
	if err != nil {
		disconnect()
		return s.refused(err)
	}
	o.Store, o.close = st, disconnect
	return nil
}

func (s *Spec) openDynamo(ctx context.Context, o *Opened) error {
	var loads []func(*config.LoadOptions) error
	if s.region != "" {
		loads = append(loads, config.WithRegion(s.region))
	}
	if s.endpoint != "" {
		// A local endpoint (DynamoDB Local) takes any credentials; placeholder
		// ones spare a lookup of the AWS credential chain, which can wait
		// seconds for an instance metadata service that is not there.
		loads = append(loads, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("narvik", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return s.unreachable(err)
	}
	// An HTTP transport of the store's own, built as the configuration
	// says (a CA bundle, say), so that Close can end its idle connections:
	// the SDK's clients have no Close.
	closeIdle := func() {}
	if b, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		tr := b.GetTransport()
		cfg.HTTPClient = &http.Client{Transport: tr}
		closeIdle = tr.CloseIdleConnections
	}
	client := dynamodb.NewFromConfig(cfg, func(d *dynamodb.Options) {
		if s.endpoint != "" {
			d.BaseEndpoint = aws.String(s.endpoint)
			d.DisableValidateResponseChecksum = true
		}
	})
	st, err := dynamostore.New(client, s.table)
	if err != nil {
		return s.refused(err)
	}
	// A read that needs no table: the table may not exist yet (ensure-schema).
	if _, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)}); err != nil {
		closeIdle()
		return s.unreachable(err)
	}
	o.Store = st
	o.close = func() error { closeIdle(); return nil }
	return nil
}

func (s *Spec) openPostgres(ctx context.Context, o *Opened) error {
	pool, err := pgxpool.NewWithConfig(ctx, s.postgres)
	if err != nil {
		return s.refused(err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return s.unreachable(err)
	}
	var opts []postgresstore.Option
	if s.table != "" {
		opts = append(opts, postgresstore.WithTable(s.table))
	}
	st, err := postgresstore.New(pool, opts...)
	if err != nil {
		pool.Close()
		return s.refused(err)
	}
	o.Store, o.close = st, func() error { pool.Close(); return nil }
	return nil
}

func (s *Spec) openMySQL(ctx context.Context, o *Opened) error {
	conn, err := mysql.NewConnector(s.mysql)
	if err != nil {
		return s.refused(err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return s.unreachable(err)
	}
	var opts []mysqlstore.Option
	if s.table != "" {
		opts = append(opts, mysqlstore.WithTable(s.table))
	}
	st, err := mysqlstore.New(db, opts...)
	if err != nil {
		db.Close()
		return s.refused(err)
	}
	o.Store, o.close = st, func() error { return errors.Join(st.Close(), db.Close()) }
	return nil
}

// openSQLite opens the file with sqlitestore.Open, which (an embedded
// store, like bbolt) also ensures the table.
func (s *Spec) openSQLite(o *Opened, cfg openConfig) error {
	if err := s.missing(cfg); err != nil {
		return err
	}
	var opts []sqlitestore.Option
	if s.table != "" {
		opts = append(opts, sqlitestore.WithTable(s.table))
	}
	st, err := sqlitestore.Open(s.path, opts...)
	if errors.Is(err, narvik.ErrInvalidOption) {
		return s.refused(err)
	}
	if err != nil {
		return s.unreachable(err)
	}
	o.Store, o.close = st, st.Close
	return nil
}
