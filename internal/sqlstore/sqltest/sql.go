package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
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

// PreparedRead returns the raw read that a database/sql driver's
// ValidateSession is measured against: query (user_id, expires_at,
// created_at and data by primary key) prepared once on db, as the store's
// own statements are.
func PreparedRead(b *testing.B, db *sql.DB, query string) func(b *testing.B, id string) {
	stmt, err := db.Prepare(query)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stmt.Close() })
	return func(b *testing.B, id string) {
		var user string
		var exp, created int64
		var data []byte
		if err := stmt.QueryRowContext(context.Background(), id).Scan(&user, &exp, &created, &data); err != nil {
			b.Fatal(err)
		}
	}
}
