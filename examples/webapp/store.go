package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/drivers/dynamostore"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/drivers/mysqlstore"
	"github.com/narvik-go/narvik/drivers/postgresstore"
	"github.com/narvik-go/narvik/drivers/redisstore"
	"github.com/narvik-go/narvik/drivers/sqlitestore"
)

// storeHelp is the -store flag's usage text.
const storeHelp = `session store: "bolt" (a bbolt file in the user cache directory), "bolt:PATH", "memory", "redis://HOST:PORT/DB", "mongodb://HOST:PORT/" (database narvik, collection sessions), "dynamodb://HOST:PORT" (an endpoint such as DynamoDB Local; "dynamodb://aws" uses the default AWS configuration; table narvik-sessions), "postgres://USER@HOST:PORT/DB", "mysql://USER:PASSWORD@HOST:PORT/DB" (MySQL or MariaDB), or "sqlite:PATH" (table narvik_sessions, created if missing); default $NARVIK_STORE, else "bolt"`

// openStore opens the session store that spec names and returns it with a
// description for the start-up banner and the function that closes it.
// Add a driver here: one case per URL scheme.
func openStore(ctx context.Context, spec string) (store narvik.SessionStore, desc string, closeStore func() error, err error) {
	noop := func() error { return nil }
	switch {
	case spec == "memory":
		return memstore.New(), "in memory (sessions end with the process)", noop, nil
	case spec == "bolt" || strings.HasPrefix(spec, "bolt:"):
		path := strings.TrimPrefix(strings.TrimPrefix(spec, "bolt"), ":")
		if path == "" {
			if path, err = defaultBoltPath(); err != nil {
				return nil, "", nil, err
			}
		}
		s, err := boltstore.Open(path)
		if err != nil {
			return nil, "", nil, err
		}
		return s, "bbolt file " + path, s.Close, nil
	case strings.HasPrefix(spec, "redis://"), strings.HasPrefix(spec, "rediss://"):
		opts, err := redis.ParseURL(spec)
		if err != nil {
			return nil, "", nil, err
		}
		client := redis.NewClient(opts)
		s, err := redisstore.New(client)
		if err != nil {
			client.Close()
			return nil, "", nil, err
		}
		return s, "Redis " + opts.Addr, client.Close, nil
	case strings.HasPrefix(spec, "mongodb://"), strings.HasPrefix(spec, "mongodb+srv://"):
		client, err := mongo.Connect(options.Client().ApplyURI(spec))
		if err != nil {
			return nil, "", nil, err
		}
		disconnect := func() error { return client.Disconnect(context.Background()) }
		s, err := mongostore.New(client.Database("narvik").Collection("sessions"))
		if err == nil {
			err = s.EnsureSchema(ctx) // the indexes, once at start-up
		}
		if err != nil {
			disconnect()
			return nil, "", nil, err
		}
		return s, "MongoDB " + spec + " (narvik.sessions)", disconnect, nil
	case strings.HasPrefix(spec, "dynamodb://"):
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, "", nil, err
		}
		endpoint := "http://" + strings.TrimPrefix(spec, "dynamodb://")
		client := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			if endpoint != "http://aws" {
				o.BaseEndpoint = aws.String(endpoint)
			}
		})
		s, err := dynamostore.New(client, "narvik-sessions")
		if err != nil {
			return nil, "", nil, err
		}
		if err := s.EnsureSchema(ctx); err != nil {
			return nil, "", nil, err
		}
		return s, "DynamoDB " + endpoint + " (table narvik-sessions)", noop, nil
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		pool, err := pgxpool.New(ctx, spec)
		if err != nil {
			return nil, "", nil, err
		}
		closePool := func() error { pool.Close(); return nil }
		s, err := postgresstore.New(pool)
		if err == nil {
			err = s.EnsureSchema(ctx)
		}
		if err != nil {
			closePool()
			return nil, "", nil, err
		}
		return s, "PostgreSQL " + pool.Config().ConnConfig.Host + " (table narvik_sessions)", closePool, nil
	case strings.HasPrefix(spec, "mysql://"):
		cfg, err := mysqlConfig(spec)
		if err != nil {
			return nil, "", nil, err
		}
		conn, err := mysql.NewConnector(cfg)
		if err != nil {
			return nil, "", nil, err
		}
		db := sql.OpenDB(conn)
		s, err := mysqlstore.New(db)
		if err == nil {
			err = s.EnsureSchema(ctx)
		}
		if err != nil {
			db.Close()
			return nil, "", nil, err
		}
		return s, "MySQL " + cfg.Addr + "/" + cfg.DBName + " (table narvik_sessions)", func() error { return errors.Join(s.Close(), db.Close()) }, nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		s, err := sqlitestore.Open(path)
		if err != nil {
			return nil, "", nil, err
		}
		return s, "SQLite file " + path, s.Close, nil
	}
	return nil, "", nil, fmt.Errorf("unknown -store %q: use bolt, bolt:PATH, memory, redis://, mongodb://, dynamodb://, postgres://, mysql:// or sqlite:PATH", spec)
}

// mysqlConfig turns mysql://USER:PASSWORD@HOST:PORT/DB into the
// go-sql-driver configuration (port 3306 unless given).
func mysqlConfig(spec string) (*mysql.Config, error) {
	u, err := url.Parse(spec)
	if err != nil {
		return nil, err
	}
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	if cfg.DBName == "" {
		return nil, fmt.Errorf("-store %s: name the database: mysql://USER:PASSWORD@HOST:PORT/DB", u.Redacted())
	}
	return cfg, nil
}
