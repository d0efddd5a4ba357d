package postgresstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/narvik-go/narvik/internal/sqlstore"
	"github.com/narvik-go/narvik/storekit"
)

// schema is the DDL of the package documentation; {t} is the table.
const schema = `CREATE TABLE IF NOT EXISTS {t} (
	id         text COLLATE "C" PRIMARY KEY,
	user_id    text COLLATE "C" NOT NULL,
	expires_at bigint NOT NULL,
	created_at bigint NOT NULL,
	data       bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS {t_user_idx} ON {t} (user_id, expires_at);
CREATE INDEX IF NOT EXISTS {t_expires_idx} ON {t} (expires_at)`

// EnsureSchema creates the table and its two indexes unless they exist
// (narvik.SchemaEnsurer): idempotent, and one round trip when everything
// is in place. Two processes creating the same table at the same moment
// can collide in PostgreSQL's catalog; the loser runs the DDL once more,
// which then finds everything in place.
func (s *Store) EnsureSchema(ctx context.Context) error {
	ddl := sqlstore.DDL(schema, s.table, quote)
	var err error
	for range 2 {
		// A plain Exec without arguments runs the statements in one simple
		// query: one round trip, one implicit transaction.
		if _, err = s.db.Exec(ctx, ddl); err == nil || !raced(err) {
			break
		}
	}
	return storekit.Wrap(ctx, driver+": ensure schema", err)
}

// raced reports whether err is a concurrent creation of the same object:
// unique_violation on the catalog, duplicate_table or duplicate_object.
func raced(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07" || pe.Code == "42710")
}
