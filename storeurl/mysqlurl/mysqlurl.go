// Package mysqlurl opens MySQL and MariaDB store URLs for a urlopen.Set,
// with drivers/mysqlstore over go-sql-driver/mysql:
//
//	mysql://USER:PASS@HOST:PORT/DB
//
// table= names the table (default "narvik_sessions"); other parameters are
// go-sql-driver's (timeout, tls, ...).
package mysqlurl

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mysqlstore"
	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Opener returns the opener of mysql:// URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.MySQL} }
func (opener) Forms() string         { return "mysql://USER:PASS@HOST:PORT/DB" }

// Parse turns mysql://USER:PASS@HOST[:PORT]/DB[?params] into the
// configuration of go-sql-driver/mysql, whose own parser checks the
// parameters.
func (opener) Parse(raw string) (urlopen.Parsed, error) {
	table, rest, err := urlparse.TakeParam(raw, "table")
	if err != nil {
		return urlopen.Parsed{}, err
	}
	u, err := url.Parse(rest)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return urlopen.Parsed{}, errors.New("want mysql://USER:PASSWORD@HOST:PORT/DATABASE")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	// The parameters go through the driver's own parser; the user and
	// password are set afterwards, so that no character of theirs can be
	// taken for the DSN's syntax.
	dsn := "/" + db
	if u.RawQuery != "" {
		dsn += "?" + u.RawQuery
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return urlopen.Parsed{}, err
	}
	cfg.Net, cfg.Addr = "tcp", addr
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	return urlopen.Parsed{
		Description: "MySQL " + addr + "/" + db + urlparse.SQLTable(table),
		Open: func(ctx context.Context) (narvik.SessionStore, func() error, error) {
			return open(ctx, cfg, table)
		},
	}, nil
}

func open(ctx context.Context, cfg *mysql.Config, table string) (narvik.SessionStore, func() error, error) {
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, urlopen.Refused(err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		return nil, nil, errors.Join(err, db.Close())
	}
	var opts []mysqlstore.Option
	if table != "" {
		opts = append(opts, mysqlstore.WithTable(table))
	}
	st, err := mysqlstore.New(db, opts...)
	if err != nil {
		return nil, nil, urlopen.Refused(errors.Join(err, db.Close()))
	}
	return st, func() error { return errors.Join(st.Close(), db.Close()) }, nil
}
