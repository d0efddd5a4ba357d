package mysqlstore

import (
	"context"

	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
)

// schema is the DDL of the package documentation; {t} is the table.
const schema = "CREATE TABLE IF NOT EXISTS {t} (" + `
	id         CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	user_id    VARBINARY(2048) NOT NULL,
	expires_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	data       MEDIUMBLOB NOT NULL,
	PRIMARY KEY (id),
	KEY {t_user_idx} (user_id, expires_at),
	KEY {t_expires_idx} (expires_at)
) ENGINE=InnoDB`

// indexes are the secondary indexes, by name suffix: EnsureSchema adds
// those missing from a table that exists (MySQL 8 has no CREATE INDEX IF
// NOT EXISTS).
var indexes = []struct{ suffix, columns string }{
	{sqlstore.UserIndexSuffix, "(user_id, expires_at)"},
	{sqlstore.ExpiresIndexSuffix, "(expires_at)"},
}

// EnsureSchema creates the table with its indexes unless it exists, and
// adds either index if an existing table lacks it (narvik.SchemaEnsurer):
// idempotent, and two round trips when everything is in place.
func (s *Store) EnsureSchema(ctx context.Context) error {
	ddl := sqlstore.DDL(schema, s.table, quote)
	if _, err := s.db.ExecContext(ctx, ddl); err != nil {
		return storekit.Wrap(ctx, driver+": ensure schema", err)
	}
	rows, err := s.db.QueryContext(ctx,
		"SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?", s.table)
	if err != nil {
		return storekit.Wrap(ctx, driver+": ensure schema: list indexes", err)
	}
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return storekit.Wrap(ctx, driver+": ensure schema: list indexes", err)
		}
		have[name] = true
	}
	if err := rows.Close(); err != nil {
		return storekit.Wrap(ctx, driver+": ensure schema: list indexes", err)
	}
	for _, ix := range indexes {
		if name := s.table + ix.suffix; !have[name] {
			if _, err := s.db.ExecContext(ctx, "CREATE INDEX "+quote(name)+" ON "+quote(s.table)+" "+ix.columns); err != nil {
				return storekit.Wrap(ctx, driver+": ensure schema: create index "+name, err)
			}
		}
	}
	return nil
}
