package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
)

// TestRoundTrips pins the statements each narvik operation costs, counted
// at the database/sql driver: one INSERT, SELECT, UPDATE or DELETE each,
// every statement prepared once and kept (package doc, "Cost of each
// call").
func TestRoundTrips(t *testing.T) {
	// modernc.org/sqlite registers its driver but exports no connector:
	// reach the driver through a handle of its own.
	dsn := fileDSN(filepath.Join(t.TempDir(), "sessions.db"))
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		t.Fatal(err)
	}
	connector, err := sqltest.DSNConnector(drv, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db, counter := sqltest.OpenCounting(t, connector)
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := s.EnsureSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	sqltest.RoundTrips(t, s, counter.Counts)
}
