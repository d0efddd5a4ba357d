package sqlitestore

import (
	"context"

	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
)

// schema is the DDL of the package documentation; {t} is the table.
const schema = `CREATE TABLE IF NOT EXISTS {t} (
	id         TEXT NOT NULL PRIMARY KEY,
	user_id    TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	data       BLOB NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {t_user_idx} ON {t} (user_id, expires_at);
CREATE INDEX IF NOT EXISTS {t_expires_idx} ON {t} (expires_at)`

// EnsureSchema creates the table and its two indexes unless they exist
// (narvik.SchemaEnsurer): idempotent, and one call when everything is in
// place.
func (s *Store) EnsureSchema(ctx context.Context) error {
	ddl := sqlstore.DDL(schema, s.table, quote)
	_, err := s.db.ExecContext(ctx, ddl)
	return storekit.Wrap(ctx, driver+": ensure schema", err)
}
