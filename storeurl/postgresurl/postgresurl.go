// Package postgresurl opens PostgreSQL store URLs for a urlopen.Set, with
// drivers/postgresstore over pgx:
//
//	postgres://USER@HOST:PORT/DB   postgresql:// too
//
// table= names the table (default "narvik_sessions"); other parameters are
// pgx's (sslmode, connect_timeout, ...).
package postgresurl

import (
	"context"
	"net"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/postgresstore"
	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Opener returns the opener of postgres:// and postgresql:// URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.Postgres} }
func (opener) Forms() string         { return "postgres://USER@HOST:PORT/DB" }

func (opener) Parse(raw string) (urlopen.Parsed, error) {
	table, rest, err := urlparse.TakeParam(raw, "table")
	if err != nil {
		return urlopen.Parsed{}, err
	}
	// ParseConfig reads the environment and a password file, never the
	// network.
	cfg, err := pgxpool.ParseConfig(rest)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	c := cfg.ConnConfig
	where := net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))) + "/" + c.Database
	return urlopen.Parsed{
		Description: "PostgreSQL " + where + urlparse.SQLTable(table),
		Open: func(ctx context.Context) (narvik.SessionStore, func() error, error) {
			return open(ctx, cfg, table)
		},
	}, nil
}

func open(ctx context.Context, cfg *pgxpool.Config, table string) (narvik.SessionStore, func() error, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, urlopen.Refused(err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, nil, err
	}
	var opts []postgresstore.Option
	if table != "" {
		opts = append(opts, postgresstore.WithTable(table))
	}
	st, err := postgresstore.New(pool, opts...)
	if err != nil {
		pool.Close()
		return nil, nil, urlopen.Refused(err)
	}
	return st, func() error { pool.Close(); return nil }, nil
}
