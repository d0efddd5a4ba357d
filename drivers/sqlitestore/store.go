package sqlitestore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
	_ "modernc.org/sqlite" // registers the database/sql driver "sqlite"
)

const driver = "sqlitestore"

// Option configures a Store.
type Option func(*config)

type config struct {
	table string
}

// WithTable sets the table's name (default "narvik_sessions"): a lowercase
// identifier of at most 48 bytes, which the store quotes. An unusable name
// makes New and Open fail with an error wrapping narvik.ErrInvalidOption.
func WithTable(name string) Option {
	return func(c *config) { c.table = name }
}

// Store is a narvik.SessionStore on one SQLite table. It is safe for
// concurrent use and starts no goroutines. It prepares its statements on
// first use; Close releases them, and closes the database when Open opened
// it.
type Store struct {
	core  *sqlstore.Store
	stmts *sqlstore.DB
	db    *sql.DB
	owned bool // Open opened db, so Close closes it
	table string
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
)

// pragmas are what Open sets on every connection: write-ahead logging, so
// that readers never wait for a writer and several processes can share
// the file; a writer waits up to 10 s for another instead of failing at
// once; fsync only at checkpoints (a power cut may lose the last sessions
// written, never corrupt the file); and a 32 MiB page cache per
// connection, so that the indexes of a few hundred thousand sessions stay
// in memory.
var pragmas = []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "cache_size(-32768)"}

// fileDSN is the data source name of modernc.org/sqlite for the file at
// path with the pragmas set.
func fileDSN(path string) string {
	return path + "?_pragma=" + strings.Join(pragmas, "&_pragma=")
}

// Open opens (creating if needed) the SQLite database at path with the
// pure-Go driver modernc.org/sqlite (no cgo), in WAL mode, and ensures the
// schema. ":memory:" opens a database that lives as long as the Store, on
// one connection. The Store owns the database: Close closes it.
func Open(path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') {
		return nil, storekit.InvalidOption(driver, "Open(%q): want a file name without '?'", path)
	}
	db, err := sql.Open("sqlite", fileDSN(path))
	if err != nil {
		return nil, storekit.Wrap(context.Background(), driver+": open "+path, err)
	}
	if path == ":memory:" {
		// Each connection to ":memory:" is a database of its own.
		db.SetMaxOpenConns(1)
	}
	s, err := New(db, opts...)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.owned = true
	if err := s.EnsureSchema(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// New returns a Store over db, a handle the caller opened with an SQLite
// driver (modernc.org/sqlite, or another: the store needs SQLite 3.37 or
// later). It fails with an error wrapping narvik.ErrNilClient for a nil db
// and with one wrapping narvik.ErrInvalidOption for an unusable table
// name. New does no I/O: call EnsureSchema, or create the table with your
// migration tool (the DDL is in the package documentation). Set WAL mode
// and a busy timeout on db as Open does, or concurrent writers fail with
// SQLITE_BUSY. The caller closes db.
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
		// ON CONFLICT (id) skips only a duplicate ID, reported as 0 rows;
		// any other failure is still an error.
		"INSERT INTO {t} (id, user_id, expires_at, created_at, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
		"DELETE FROM {t} WHERE id IN (SELECT id FROM {t} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)",
	)
	stmts := sqlstore.NewDB(db, q)
	return &Store{
		core:  sqlstore.New(stmts, sqlstore.Dialect{Name: driver, UserID: func(string) string { return "" }}),
		stmts: stmts,
		db:    db,
		table: cfg.table,
	}, nil
}

// Close releases the store's prepared statements and, when Open opened the
// database, closes it. Calls after Close fail; closing twice is not an
// error.
func (s *Store) Close() error {
	err := s.stmts.Close()
	if s.owned {
		s.owned = false
		if cerr := s.db.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// quote quotes an identifier that CheckTable accepted.
func quote(name string) string { return `"` + name + `"` }
