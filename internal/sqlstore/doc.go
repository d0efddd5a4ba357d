// Package sqlstore is the logic that the SQL drivers (postgresstore,
// mysqlstore, sqlitestore) share, written once: the statements of the
// store contract over one table, the checks done before any query, the
// batched expired sweep and the keyset walk. Each driver supplies what
// differs between databases (a Dialect: identifier quoting, placeholders,
// the insert and the sweep statements, how IDs are checked) and a Querier
// that runs a statement on its client: pgx for PostgreSQL, database/sql
// (DB, with prepared statements) for MySQL and SQLite.
//
// It imports nothing but the standard library and the narvik core, so a
// driver's module gains no dependency from it.
package sqlstore
