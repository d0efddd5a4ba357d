package sqlitestore

import (
	"context"
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// TestNoTokenInTable reads every column of the table as bytes and finds
// the session's SHA-256 but never its token.
func TestNoTokenInTable(t *testing.T) {
	s := newTestStore(t)
	sqltest.NoToken(t, s, func(t *testing.T) [][]byte {
		rows, err := s.db.QueryContext(context.Background(), "SELECT id, user_id, CAST(expires_at AS TEXT), CAST(created_at AS TEXT), data FROM "+quote(s.table))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]byte
		for rows.Next() {
			cols := make([][]byte, 5)
			if err := rows.Scan(&cols[0], &cols[1], &cols[2], &cols[3], &cols[4]); err != nil {
				t.Fatal(err)
			}
			out = append(out, cols...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	})
}
