// Package storeurltest gives tests store URLs of their own on the shared
// test servers, as net/http/httptest gives them servers: each URL names a
// fresh namespace (a Redis key prefix, a MongoDB collection, a DynamoDB
// table, a bbolt file in a temporary folder), removed when the test ends.
//
// The servers come from the variables `make test` exports
// (NARVIK_REDIS_URL, NARVIK_REDIS_CLUSTER_ADDRS, NARVIK_MONGO_URI,
// NARVIK_DYNAMODB_ENDPOINT, NARVIK_POSTGRES_URL, NARVIK_MYSQL_DSN); a
// missing one skips the test, or fails it under CI.
package storeurltest

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/storeurl"
)

// unique returns a name no other test uses, valid as a Redis key prefix,
// a MongoDB collection, a DynamoDB table and an SQL table.
func unique() string { return sqltest.RandomTable() }

// withParam adds name=value to the query of raw.
func withParam(raw, name, value string) string {
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + name + "=" + url.QueryEscape(value)
}

// URL returns a store URL of kind for tb alone, and removes what the store
// holds when tb ends.
func URL(tb testing.TB, kind storeurl.Kind) string {
	tb.Helper()
	switch kind {
	case storeurl.Memory:
		return "memory"
	case storeurl.Bolt:
		return "bolt:" + filepath.Join(tb.TempDir(), "sessions.db")
	case storeurl.Redis:
		base := testenv.Get(tb, "NARVIK_REDIS_URL", "scripts/redis.sh up")
		prefix := unique() + ":"
		opts, err := redis.ParseURL(base)
		if err != nil {
			tb.Fatalf("NARVIK_REDIS_URL: %v", err)
		}
		tb.Cleanup(func() { dropRedis(tb, redis.NewClient(opts), prefix) })
		return withParam(base, "prefix", prefix)
	case storeurl.RedisCluster:
		addrs := testenv.Get(tb, "NARVIK_REDIS_CLUSTER_ADDRS", "scripts/redis.sh up")
		prefix := unique() + ":"
		tb.Cleanup(func() {
			dropRedis(tb, redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")}), prefix)
		})
		return "redis-cluster://" + addrs + "?prefix=" + url.QueryEscape(prefix)
	case storeurl.MongoDB:
		base := testenv.Get(tb, "NARVIK_MONGO_URI", "make services-up")
		coll := unique()
		tb.Cleanup(func() { dropMongo(tb, base, coll) })
		return withParam(base, "collection", coll)
	case storeurl.SQLite:
		return "sqlite:" + filepath.Join(tb.TempDir(), "sessions.db")
	case storeurl.Postgres:
		base := testenv.Get(tb, "NARVIK_POSTGRES_URL", "scripts/postgres.sh up")
		table := unique()
		tb.Cleanup(func() { dropPostgres(tb, base, table) })
		return withParam(base, "table", table)
	case storeurl.MySQL:
		cfg, err := mysql.ParseDSN(testenv.Get(tb, "NARVIK_MYSQL_DSN", "scripts/mariadb.sh up"))
		if err != nil {
			tb.Fatalf("NARVIK_MYSQL_DSN: %v", err)
		}
		table := unique()
		tb.Cleanup(func() { dropMySQL(tb, cfg, table) })
		user := url.User(cfg.User)
		if cfg.Passwd != "" {
			user = url.UserPassword(cfg.User, cfg.Passwd)
		}
		return (&url.URL{Scheme: "mysql", User: user, Host: cfg.Addr, Path: "/" + cfg.DBName, RawQuery: "table=" + table}).String()
	case storeurl.DynamoDB:
		endpoint := testenv.Get(tb, "NARVIK_DYNAMODB_ENDPOINT", "scripts/dynamodb.sh up")
		table := unique()
		tb.Cleanup(func() { dropTable(tb, endpoint, table) })
		return "dynamodb://" + strings.TrimPrefix(endpoint, "http://") + "?table=" + table
	}
	tb.Fatalf("storeurltest: no test server for kind %q", kind)
	return ""
}

func cleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), time.Minute)
}

// dropRedis deletes every key under prefix, on every primary of a cluster.
func dropRedis(tb testing.TB, client redis.UniversalClient, prefix string) {
	defer client.Close()
	ctx, cancel := cleanupContext()
	defer cancel()
	drop := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	var err error
	switch c := client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, drop)
	case *redis.Client:
		err = drop(ctx, c)
	}
	if err != nil {
		tb.Errorf("storeurltest: delete the keys under %q: %v", prefix, err)
	}
}

func dropMongo(tb testing.TB, uri, coll string) {
	ctx, cancel := cleanupContext()
	defer cancel()
	client, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		tb.Errorf("storeurltest: %v", err)
		return
	}
	defer client.Disconnect(ctx)
	if err := client.Database(storeurl.DefaultMongoDatabase).Collection(coll).Drop(ctx); err != nil {
		tb.Errorf("storeurltest: drop collection %s: %v", coll, err)
	}
}

func dropTable(tb testing.TB, endpoint, table string) {
	ctx, cancel := cleanupContext()
	defer cancel()
	transport := http.DefaultTransport.(*http.Transport).Clone()
	defer transport.CloseIdleConnections() // no connection outlives the test
	client := dynamodb.New(dynamodb.Options{
		HTTPClient:   &http.Client{Transport: transport},
		Region:       storeurl.DefaultDynamoRegion,
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		DisableValidateResponseChecksum: true,
	})
	_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	if err != nil && !strings.Contains(err.Error(), "ResourceNotFoundException") {
		tb.Errorf("storeurltest: delete table %s: %v", table, err)
	}
}

func dropPostgres(tb testing.TB, url, table string) {
	ctx, cancel := cleanupContext()
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("storeurltest: %v", err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		tb.Errorf("storeurltest: drop table %s: %v", table, err)
	}
}

func dropMySQL(tb testing.TB, cfg *mysql.Config, table string) {
	ctx, cancel := cleanupContext()
	defer cancel()
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		tb.Errorf("storeurltest: %v", err)
		return
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		tb.Errorf("storeurltest: drop table %s: %v", table, err)
	}
}
