package mysqlstore

import (
	"database/sql"
	"errors"
	"strconv"

	"github.com/go-sql-driver/mysql"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
)

const driver = "mysqlstore"

// Option configures a Store.
type Option func(*config)

type config struct {
	table string
}

// WithTable sets the table's name (default "narvik_sessions"): a lowercase
// identifier of at most 48 bytes, which the store quotes, in the
// connection's database. An unusable name makes New fail with an error
// wrapping narvik.ErrInvalidOption.
func WithTable(name string) Option {
	return func(c *config) { c.table = name }
}

// MaxUserIDLen is the longest user ID the store accepts, in bytes: the
// size of the user_id column (VARBINARY(2048)), which keeps the index on
// (user_id, expires_at) under InnoDB's 3,072-byte limit.
const MaxUserIDLen = 2048

// Store is a narvik.SessionStore on one MySQL or MariaDB table. It is safe
// for concurrent use and starts no goroutines. It prepares its statements
// on first use; Close releases them. The caller owns the *sql.DB.
type Store struct {
	core  *sqlstore.Store
	stmts *sqlstore.DB
	db    *sql.DB
	table string
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
)

// New returns a Store over db, a handle opened with the driver
// github.com/go-sql-driver/mysql. It fails with an error wrapping
// narvik.ErrNilClient for a nil db and with one wrapping
// narvik.ErrInvalidOption for an unusable table name. New does no I/O:
// call EnsureSchema, or create the table with your migration tool (the DDL
// is in the package documentation).
func New(db *sql.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, storekit.NilClient(driver, "*sql.DB")
	}
	cfg := config{table: sqlstore.DefaultTable}
	storekit.Apply(&cfg, opts)
	if err := sqlstore.CheckTable(driver, cfg.table); err != nil {
		return nil, err
	}
	q := sqlstore.Build(quote(cfg.table), true,
		"INSERT INTO {t} (id, user_id, expires_at, created_at, data) VALUES ($1, $2, $3, $4, $5)",
		// Ordered by the whole index key, so the batch is deterministic
		// (safe for statement-based replication).
		"DELETE FROM {t} WHERE expires_at <= $1 ORDER BY expires_at, id LIMIT $2",
	)
	stmts := sqlstore.NewDB(db, q)
	return &Store{
		core: sqlstore.New(stmts, sqlstore.Dialect{
			Name:            driver,
			UserID:          checkUserID,
			BinaryUserID:    true,
			Duplicate:       duplicate,
			UnchangedIsZero: true,
			Retry:           deadlock,
		}),
		stmts: stmts,
		db:    db,
		table: cfg.table,
	}, nil
}

// Close releases the store's prepared statements. Calls after Close fail;
// closing twice is not an error. The *sql.DB stays open.
func (s *Store) Close() error { return s.stmts.Close() }

// quote quotes an identifier that CheckTable accepted.
func quote(name string) string { return "`" + name + "`" }

// checkUserID refuses what the VARBINARY column cannot hold: any bytes
// fit, up to its size.
func checkUserID(id string) string {
	if len(id) > MaxUserIDLen {
		return "longer than " + strconv.Itoa(MaxUserIDLen) + " bytes, the size of the user_id column"
	}
	return ""
}

// duplicate reports MySQL's ER_DUP_ENTRY: the only unique key is the
// primary key, so it means the session ID exists.
func duplicate(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1062
}

// deadlock reports MySQL's ER_LOCK_DEADLOCK: the server rolled the
// statement back to break a deadlock, and running it again is the remedy
// its manual gives.
func deadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}
