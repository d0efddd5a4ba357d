package sqltest

import (
	"context"
	"database/sql/driver"
	"io"
	"testing"
)

// legacyDriver implements only the interfaces database/sql/driver
// requires, none of the optional ones: every path through the Counter's
// fallbacks.
type legacyDriver struct{}

func (legacyDriver) Open(string) (driver.Conn, error) { return legacyConn{}, nil }

type legacyConn struct{}

func (legacyConn) Prepare(string) (driver.Stmt, error) { return legacyStmt{}, nil }
func (legacyConn) Close() error                        { return nil }
func (legacyConn) Begin() (driver.Tx, error)           { return legacyTx{}, nil }

type legacyStmt struct{}

func (legacyStmt) Close() error                               { return nil }
func (legacyStmt) NumInput() int                              { return -1 }
func (legacyStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(1), nil }
func (legacyStmt) Query([]driver.Value) (driver.Rows, error)  { return legacyRows{}, nil }

type legacyTx struct{}

func (legacyTx) Commit() error   { return nil }
func (legacyTx) Rollback() error { return nil }

type legacyRows struct{}

func (legacyRows) Columns() []string         { return []string{"x"} }
func (legacyRows) Close() error              { return nil }
func (legacyRows) Next([]driver.Value) error { return io.EOF }

// TestCounterFallbacks counts what database/sql sends to a driver without
// the optional interfaces: a query with arguments is prepared, run and
// closed; a transaction is BEGIN, the statement and COMMIT.
func TestCounterFallbacks(t *testing.T) {
	connector, err := DSNConnector(legacyDriver{}, "")
	if err != nil {
		t.Fatal(err)
	}
	db, c := OpenCounting(t, connector)
	ctx := context.Background()
	step := func(what string, want Counts, f func() error) {
		t.Helper()
		before := c.Counts()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got := c.Counts().Sub(before); got != want {
			t.Errorf("%s sent %+v, want %+v", what, got, want)
		}
	}
	step("Exec", Counts{Prepares: 1, Execs: 1, Closes: 1}, func() error { _, err := db.ExecContext(ctx, "x", 1); return err })
	step("Query", Counts{Prepares: 1, Execs: 1, Closes: 1}, func() error {
		rows, err := db.QueryContext(ctx, "x", 1)
		if err != nil {
			return err
		}
		return rows.Close()
	})
	step("transaction", Counts{Prepares: 1, Execs: 3, Closes: 1}, func() error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "x", 1); err != nil {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	})
	stmt, err := db.PrepareContext(ctx, "x")
	if err != nil {
		t.Fatal(err)
	}
	step("prepared statement, twice", Counts{Execs: 2}, func() error {
		for range 2 {
			if _, err := stmt.ExecContext(ctx, 1); err != nil {
				return err
			}
		}
		return nil
	})
	step("Close", Counts{Closes: 1}, stmt.Close)
}
