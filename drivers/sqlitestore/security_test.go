package sqlitestore

import (
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// TestNoTokenInTable reads every column of the table as bytes and finds
// the session's SHA-256 but never its token.
func TestNoTokenInTable(t *testing.T) {
	s := newTestStore(t)
	sqltest.NoToken(t, s, func(t *testing.T) [][]byte {
		return sqltest.Dump(t, s.db, "SELECT id, user_id, CAST(expires_at AS TEXT), CAST(created_at AS TEXT), data FROM "+quote(s.table))
	})
}
