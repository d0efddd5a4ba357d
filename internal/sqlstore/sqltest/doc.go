// Package sqltest holds the tests that the SQL drivers share: private
// PostgreSQL and MariaDB servers for outage tests, the raw-table checks,
// the benchmarks of the expired sweep, and RoundTrips, the statements each
// narvik operation costs (with Counter, which counts them at a
// database/sql driver). Each driver's tests call them with what only the
// driver knows (its client, how to read its table raw).
package sqltest
