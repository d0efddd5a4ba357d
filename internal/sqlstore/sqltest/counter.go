package sqltest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"sync/atomic"
	"testing"
)

// Counts are the statements a client sent, as RoundTrips reads them.
type Counts struct {
	// Prepares are statements prepared (one round trip each).
	Prepares int64
	// Execs are statements run: a prepared statement executed, a query
	// sent directly with its arguments, BEGIN, COMMIT and ROLLBACK (one
	// round trip each).
	Execs int64
	// Closes are prepared statements closed (go-sql-driver sends
	// COM_STMT_CLOSE, which the server does not answer). A store that keeps
	// its statements closes none after its first use.
	Closes int64
}

// Sub returns c minus before: what was sent in between.
func (c Counts) Sub(before Counts) Counts {
	return Counts{Prepares: c.Prepares - before.Prepares, Execs: c.Execs - before.Execs, Closes: c.Closes - before.Closes}
}

// Counter counts the statements that the connections of a database/sql
// pool send, through the connector that Connector returns. It is safe for
// concurrent use.
type Counter struct {
	prepares, execs, closes atomic.Int64
}

// Counts returns the totals so far.
func (c *Counter) Counts() Counts {
	return Counts{Prepares: c.prepares.Load(), Execs: c.execs.Load(), Closes: c.closes.Load()}
}

// OpenCounting returns a *sql.DB on inner whose statements c counts, closed
// when the test ends.
func OpenCounting(tb testing.TB, inner driver.Connector) (*sql.DB, *Counter) {
	c := &Counter{}
	db := sql.OpenDB(c.Connector(inner))
	tb.Cleanup(func() { _ = db.Close() })
	return db, c
}

// DSNConnector returns a connector for a driver opened by name: its own
// when it has one (driver.DriverContext), otherwise one that calls Open
// with dsn, as database/sql does. A driver registered with database/sql is
// reached through sql.Open(name, dsn) and DB.Driver.
func DSNConnector(d driver.Driver, dsn string) (driver.Connector, error) {
	if dc, ok := d.(driver.DriverContext); ok {
		return dc.OpenConnector(dsn)
	}
	return dsnConnector{d: d, dsn: dsn}, nil
}

type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// Connector returns inner with every connection it makes counted by c.
//
// The wrappers implement each optional interface of database/sql/driver
// that decides which path database/sql takes (ConnPrepareContext,
// ConnBeginTx, ExecerContext, QueryerContext, NamedValueChecker,
// SessionResetter, Validator, Pinger; StmtExecContext, StmtQueryContext,
// NamedValueChecker on statements) and answer as database/sql does for
// what the driver lacks: driver.ErrSkip for a direct query, so that
// database/sql prepares instead; the default conversion for arguments. So
// database/sql sends through the wrapper the statements it would send
// without it, and the count is theirs. Rows are not wrapped: reading a
// result sends nothing.
func (c *Counter) Connector(inner driver.Connector) driver.Connector {
	return &connector{inner: inner, c: c}
}

type connector struct {
	inner driver.Connector
	c     *Counter
}

func (k *connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := k.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{inner: cn, c: k.c}, nil
}

func (k *connector) Driver() driver.Driver { return k.inner.Driver() }

// Close closes inner when it has a Close (sql.DB.Close calls it).
func (k *connector) Close() error {
	if cl, ok := k.inner.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

type conn struct {
	inner driver.Conn
	c     *Counter
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

func (k *conn) Prepare(query string) (driver.Stmt, error) {
	return k.PrepareContext(context.Background(), query)
}

func (k *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := k.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err = k.inner.Prepare(query)
	}
	k.c.prepares.Add(1)
	if err != nil {
		return nil, err
	}
	return &stmt{inner: st, conn: k}, nil
}

func (k *conn) Close() error { return k.inner.Close() }

func (k *conn) Begin() (driver.Tx, error) {
	return k.BeginTx(context.Background(), driver.TxOptions{})
}

func (k *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	var tx driver.Tx
	var err error
	if b, ok := k.inner.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		if opts != (driver.TxOptions{}) {
			return nil, errors.New("sqltest: driver does not support transaction options")
		}
		//lint:ignore SA1019 the fallback database/sql takes for a driver without BeginTx
		tx, err = k.inner.Begin()
	}
	k.c.execs.Add(1)
	if err != nil {
		return nil, err
	}
	return &txn{inner: tx, c: k.c}, nil
}

// ExecContext runs a query directly when the driver can; driver.ErrSkip
// (the driver would rather have it prepared) sends nothing and is not
// counted: database/sql then prepares, executes and closes it through the
// wrapper.
func (k *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := k.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		k.c.execs.Add(1)
	}
	return res, err
}

// QueryContext is ExecContext for queries that return rows.
func (k *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := k.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		k.c.execs.Add(1)
	}
	return rows, err
}

func (k *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := k.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip // database/sql's default conversion
}

func (k *conn) ResetSession(ctx context.Context) error {
	if r, ok := k.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (k *conn) IsValid() bool {
	if v, ok := k.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (k *conn) Ping(ctx context.Context) error {
	if p, ok := k.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

type stmt struct {
	inner driver.Stmt
	conn  *conn
}

var (
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmt)(nil)
)

func (s *stmt) Close() error {
	s.conn.c.closes.Add(1)
	return s.inner.Close()
}

func (s *stmt) NumInput() int { return s.inner.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.conn.c.execs.Add(1)
	if e, ok := s.inner.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql takes for a driver without ExecContext
	return s.inner.Exec(vals)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.conn.c.execs.Add(1)
	if q, ok := s.inner.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql takes for a driver without QueryContext
	return s.inner.Query(vals)
}

// CheckNamedValue converts an argument as database/sql would without the
// wrapper: with the statement's checker, else the connection's, else the
// default. (The deprecated driver.ColumnConverter is not forwarded: the
// drivers tested here check every argument with a NamedValueChecker, so
// database/sql never reaches it.)
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.inner.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

type txn struct {
	inner driver.Tx
	c     *Counter
}

func (t *txn) Commit() error {
	t.c.execs.Add(1)
	return t.inner.Commit()
}

func (t *txn) Rollback() error {
	t.c.execs.Add(1)
	return t.inner.Rollback()
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("sqltest: driver does not support named arguments")
		}
		out[i] = a.Value
	}
	return out, nil
}
