package postgresstore

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
)

const driver = "postgresstore"

// DB is what the store needs of its client: a *pgxpool.Pool (the usual
// choice), a *pgx.Conn or a pgx.Tx, or any wrapper of them. A *pgx.Conn
// and a pgx.Tx are not safe for concurrent use, and neither is a Store
// over one.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Option configures a Store.
type Option func(*config)

type config struct {
	table string
}

// WithTable sets the table's name (default "narvik_sessions"): a lowercase
// identifier of at most 48 bytes, which the store quotes. The schema
// search path of the connection decides the schema (search_path in the
// connection string). An unusable name makes New fail with an error
// wrapping narvik.ErrInvalidOption.
func WithTable(name string) Option {
	return func(c *config) { c.table = name }
}

// Store is a narvik.SessionStore on one PostgreSQL table. It is safe for
// concurrent use when its DB is (a pool is), starts no goroutines and owns
// nothing that needs closing: the caller owns the pool.
type Store struct {
	core  *sqlstore.Store
	db    DB
	table string
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
	_ DB                   = (*pgxpool.Pool)(nil)
	_ DB                   = (*pgx.Conn)(nil)
	_ DB                   = pgx.Tx(nil)
	_ sqlstore.Querier     = querier{}
	_ sqlstore.Rows        = rows{}
)

// New returns a Store over pool, a *pgxpool.Pool or anything else that
// satisfies DB. It fails with an error wrapping narvik.ErrNilClient for a
// nil pool and with one wrapping narvik.ErrInvalidOption for an unusable
// table name. New does no I/O: call EnsureSchema, or create the table with
// your migration tool (the DDL is in the package documentation).
func New(pool DB, opts ...Option) (*Store, error) {
	switch p := pool.(type) {
	case nil:
		return nil, storekit.NilClient(driver, "pool")
	case *pgxpool.Pool:
		if p == nil {
			return nil, storekit.NilClient(driver, "*pgxpool.Pool")
		}
	case *pgx.Conn:
		if p == nil {
			return nil, storekit.NilClient(driver, "*pgx.Conn")
		}
	}
	cfg := config{table: sqlstore.DefaultTable}
	storekit.Apply(&cfg, opts)
	if err := sqlstore.CheckTable(driver, cfg.table); err != nil {
		return nil, err
	}
	t := quote(cfg.table)
	q := sqlstore.Build(t, false,
		// ON CONFLICT (id) skips only a duplicate ID, reported as 0 rows;
		// any other failure is still an error, and a pgx.Tx is not aborted
		// by a lost put-if-absent.
		"INSERT INTO {t} (id, user_id, expires_at, created_at, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
		// The batch is found through the index on expires_at and deleted by
		// its tuple IDs (a TID scan: "id IN (...)" would be planned as a
		// hash join over the whole table). SKIP LOCKED: concurrent sweeps
		// take disjoint batches instead of queueing behind each other's row
		// locks; the locks also keep each tuple ID valid until the delete.
		"DELETE FROM {t} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {t} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED))",
	)
	return &Store{
		core:  sqlstore.New(querier{db: pool, q: q}, sqlstore.Dialect{Name: driver, UserID: checkUserID}),
		db:    pool,
		table: cfg.table,
	}, nil
}

// quote quotes an identifier that CheckTable accepted.
func quote(name string) string { return `"` + name + `"` }

// checkUserID refuses what a text column of a UTF-8 database cannot hold
// (invalid UTF-8, NUL) and what its index cannot (see MaxUserIDLen).
func checkUserID(id string) string {
	switch {
	case len(id) > MaxUserIDLen:
		return "longer than " + strconv.Itoa(MaxUserIDLen) + " bytes, more than its index holds"
	case !utf8.ValidString(id):
		return "not valid UTF-8, which a text column cannot hold"
	case strings.IndexByte(id, 0) >= 0:
		return "holds a NUL byte, which a text column cannot hold"
	}
	return ""
}

// MaxUserIDLen is the longest user ID the store accepts, in bytes: a
// B-tree index entry of PostgreSQL holds at most about 2,700 bytes.
const MaxUserIDLen = 2048

// querier runs the shared statements with pgx, which prepares each one
// on each connection at first use and then sends only its name and
// arguments: one round trip per call.
type querier struct {
	db DB
	q  *sqlstore.Queries
}

func (q querier) Exec(ctx context.Context, s sqlstore.Stmt, args ...any) (int64, error) {
	tag, err := q.db.Exec(ctx, q.q[s], args...)
	return tag.RowsAffected(), err
}

func (q querier) QueryRow(ctx context.Context, s sqlstore.Stmt, args ...any) sqlstore.Row {
	return q.db.QueryRow(ctx, q.q[s], args...)
}

func (q querier) Query(ctx context.Context, s sqlstore.Stmt, args ...any) (sqlstore.Rows, error) {
	r, err := q.db.Query(ctx, q.q[s], args...)
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

// rows gives pgx.Rows the Close of database/sql: idempotent, returning
// the error that ended the rows.
type rows struct{ pgx.Rows }

func (r rows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}
