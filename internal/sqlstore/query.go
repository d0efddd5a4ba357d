package sqlstore

import (
	"context"
	"strconv"
	"strings"
)

// Stmt names one statement of the store.
type Stmt int

// The statements. Their arguments, in order:
const (
	Insert     Stmt = iota // id, user_id, expires_at, created_at, data; 0 rows affected means the ID exists (unless Dialect.Duplicate)
	Fetch                  // id, now → user_id, expires_at, created_at, data
	Update                 // expires_at, id, now
	Delete                 // id
	FetchUser              // user_id, now → id, expires_at, created_at, data
	DeleteUser             // user_id
	Sweep                  // now, limit
	WalkPage               // after id, now, limit → id, user_id, expires_at, created_at, data
	NumStmts
)

// Queries holds the SQL text of every statement for one table.
type Queries [NumStmts]string

// Querier runs the store's statements on a driver's client. Exec returns
// the rows affected. Errors are the client's own.
type Querier interface {
	Exec(ctx context.Context, s Stmt, args ...any) (int64, error)
	QueryRow(ctx context.Context, s Stmt, args ...any) Row
	Query(ctx context.Context, s Stmt, args ...any) (Rows, error)
}

// Row is one result row; Scan reports sql.ErrNoRows (or an error wrapping
// it, as pgx.ErrNoRows does) when there is none.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Build returns the statements for table (already quoted by the dialect),
// with insert and sweep written by the driver in the same $n notation.
// Databases whose placeholders are "?" get them rewritten: the $n of every
// statement here appear in argument order.
func Build(table string, question bool, insert, sweep string) *Queries {
	q := &Queries{
		Insert:     insert,
		Fetch:      "SELECT user_id, expires_at, created_at, data FROM {t} WHERE id = $1 AND expires_at > $2",
		Update:     "UPDATE {t} SET expires_at = $1 WHERE id = $2 AND expires_at > $3",
		Delete:     "DELETE FROM {t} WHERE id = $1",
		FetchUser:  "SELECT id, expires_at, created_at, data FROM {t} WHERE user_id = $1 AND expires_at > $2",
		DeleteUser: "DELETE FROM {t} WHERE user_id = $1",
		Sweep:      sweep,
		WalkPage:   "SELECT id, user_id, expires_at, created_at, data FROM {t} WHERE id > $1 AND expires_at > $2 ORDER BY id LIMIT $3",
	}
	for i, s := range q {
		s = strings.ReplaceAll(s, "{t}", table)
		if question {
			for n := 9; n >= 1; n-- {
				s = strings.ReplaceAll(s, "$"+strconv.Itoa(n), "?")
			}
		}
		q[i] = s
	}
	return q
}
