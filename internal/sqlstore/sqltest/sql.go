package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
	"time"
)

// RandomTable returns a table name no other test uses.
func RandomTable() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "narvik_test_" + hex.EncodeToString(b[:])
}

// Dump runs query on db and returns every column of every row as the
// driver returns it, as bytes: the raw read of NoToken.
func Dump(t *testing.T, db *sql.DB, query string) [][]byte {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for rows.Next() {
		row := make([][]byte, len(cols))
		dest := make([]any, len(cols))
		for i := range row {
			dest[i] = &row[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, row...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ReadQuery is the raw read that a SQL driver's ValidateSession is
// measured against: the columns the store's fetch reads, by primary key,
// from table (quoted), param the placeholder ("$1" or "?").
func ReadQuery(table, param string) string {
	return "SELECT user_id, expires_at, created_at, data FROM " + table + " WHERE id = " + param
}

// ScanRead scans a row of ReadQuery as the store's fetch does.
func ScanRead(b *testing.B, row interface{ Scan(dest ...any) error }) {
	var user string
	var exp, created int64
	var data []byte
	if err := row.Scan(&user, &exp, &created, &data); err != nil {
		b.Fatal(err)
	}
}

// PreparedRead returns the raw read of a database/sql driver: ReadQuery of
// table (quoted) prepared once on db, as the store's own statements are
// (unprepared, go-sql-driver would prepare and close it on every call).
func PreparedRead(b *testing.B, db *sql.DB, table string) func(b *testing.B, id string) {
	stmt, err := db.Prepare(ReadQuery(table, "?"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stmt.Close() })
	return func(b *testing.B, id string) {
		ScanRead(b, stmt.QueryRowContext(context.Background(), id))
	}
}

// FullScanQuery deletes the rows of table (quoted) expired by param (the
// placeholder of now, in Unix milliseconds) without the index on
// expires_at: expires_at + 0 is not the indexed column.
func FullScanQuery(table, param string) string {
	return "DELETE FROM " + table + " WHERE expires_at + 0 <= " + param
}

// StdFullScan is the FullScan of a database/sql driver: FullScanQuery of
// table (quoted) on db.
func StdFullScan(db *sql.DB, table string) FullScan {
	query := FullScanQuery(table, "?")
	return func(ctx context.Context, now time.Time) (int64, error) {
		res, err := db.ExecContext(ctx, query, now.UnixMilli())
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
}
