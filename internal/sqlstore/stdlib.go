package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by every call on a DB after Close.
var ErrClosed = errors.New("store is closed")

// DB is the Querier of the database/sql drivers (MySQL, SQLite). Each
// statement is prepared on first use and kept: database/sql then prepares
// it once on each connection that runs it, and every later call is one
// round trip (with MySQL's go-sql-driver an unprepared query with
// arguments costs a prepare, an execute and a close). Close releases the
// prepared statements; the *sql.DB stays the caller's.
type DB struct {
	db    *sql.DB
	q     *Queries
	stmts [NumStmts]atomic.Pointer[sql.Stmt]

	mu     sync.Mutex // serialises preparing and Close
	closed atomic.Bool
}

// NewDB returns a DB running q on db. It does no I/O.
func NewDB(db *sql.DB, q *Queries) *DB { return &DB{db: db, q: q} }

// stmt returns the prepared statement s, preparing it on first use. A
// failed prepare (the table does not exist yet, the server is down) is
// not kept: the next call tries again.
func (d *DB) stmt(ctx context.Context, s Stmt) (*sql.Stmt, error) {
	if st := d.stmts[s].Load(); st != nil {
		return st, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Load() {
		return nil, ErrClosed
	}
	if st := d.stmts[s].Load(); st != nil {
		return st, nil
	}
	st, err := d.db.PrepareContext(ctx, d.q[s])
	if err != nil {
		return nil, err
	}
	d.stmts[s].Store(st)
	return st, nil
}

// Exec runs s and returns the rows it affected.
func (d *DB) Exec(ctx context.Context, s Stmt, args ...any) (int64, error) {
	st, err := d.stmt(ctx, s)
	if err != nil {
		return 0, err
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueryRow runs s for at most one row.
func (d *DB) QueryRow(ctx context.Context, s Stmt, args ...any) Row {
	st, err := d.stmt(ctx, s)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// Query runs s.
func (d *DB) Query(ctx context.Context, s Stmt, args ...any) (Rows, error) {
	st, err := d.stmt(ctx, s)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// Close closes the prepared statements; later calls fail with ErrClosed.
// Closing twice is not an error.
func (d *DB) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Swap(true) {
		return nil
	}
	var errs []error
	for i := range d.stmts {
		if st := d.stmts[i].Swap(nil); st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// errRow is the Row of a statement that could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
