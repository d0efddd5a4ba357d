package mysqlstore

import (
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// TestNoTokenInTable reads every column of the table as bytes and finds
// the session's SHA-256 but never its token.
func TestNoTokenInTable(t *testing.T) {
	db := testDB(t)
	s := newTestStore(t, db)
	sqltest.NoToken(t, s, func(t *testing.T) [][]byte {
		return sqltest.Dump(t, db, "SELECT id, user_id, expires_at, created_at, data FROM "+quote(s.table))
	})
}
