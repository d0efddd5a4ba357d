package postgresstore

import (
	"context"
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// TestNoTokenInTable reads every column of the table as text and finds
// the session's SHA-256 but never its token.
func TestNoTokenInTable(t *testing.T) {
	pool := testPool(t)
	s := newTestStore(t, pool)
	sqltest.NoToken(t, s, func(t *testing.T) [][]byte {
		rows, err := pool.Query(context.Background(), "SELECT id, user_id, expires_at::text, created_at::text, data FROM "+quote(s.table))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out [][]byte
		for rows.Next() {
			var id, user, exp, created string
			var data []byte
			if err := rows.Scan(&id, &user, &exp, &created, &data); err != nil {
				t.Fatal(err)
			}
			out = append(out, []byte(id), []byte(user), []byte(exp), []byte(created), data)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	})
}
