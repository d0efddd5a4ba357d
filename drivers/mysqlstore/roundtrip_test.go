package mysqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/sqlstore/sqltest"
	"github.com/narvik-go/narvik/internal/testenv"
)

// TestRoundTrips pins the statements each narvik operation costs, counted
// at the database/sql driver: one INSERT, SELECT, UPDATE or DELETE each,
// every statement prepared once and kept (package doc, "Cost of each
// call"). The server agrees: over the check, MariaDB's Com_stmt_prepare
// grew by 4 and Com_stmt_execute by 24, as the counter says.
//
// Then the one exception the package doc marks (*): an UPDATE that finds
// nothing to change reports 0 rows on MySQL, so UpdateSessionExpiry to
// the expiry a session already has, or of a missing session, costs one
// SELECT more. narvik's extensions always move the expiry forward (only
// two extensions of one session in the same millisecond write the same
// value), so the core never pays it in the ordinary course.
func TestRoundTrips(t *testing.T) {
	cfg, err := mysql.ParseDSN(testenv.Get(t, "NARVIK_MYSQL_DSN", "scripts/mariadb.sh up"))
	if err != nil {
		t.Fatalf("NARVIK_MYSQL_DSN: %v", err)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db, counter := sqltest.OpenCounting(t, connector)
	s := newTestStore(t, db)
	sqltest.RoundTrips(t, s, counter.Counts)

	ctx := context.Background()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	r := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "u", ExpiresAt: exp, CreatedAt: time.Now()}
	if err := s.SaveSession(ctx, r); err != nil {
		t.Fatal(err)
	}
	missing := narvik.SessionIDFromToken("bbcdefghijklmnopqrstuvwxyz234567")
	for _, c := range []struct {
		what    string
		id      string
		exp     time.Time
		want    error
		updates int64 // statements sent, all already prepared
	}{
		{"to a new expiry", r.ID, exp.Add(time.Minute), nil, 1},
		{"to the expiry it has", r.ID, exp.Add(time.Minute), nil, 2},
		{"of a missing session", missing, exp, narvik.ErrSessionNotFound, 2},
	} {
		before := counter.Counts()
		if err := s.UpdateSessionExpiry(ctx, c.id, c.exp); !errors.Is(err, c.want) {
			t.Fatalf("UpdateSessionExpiry %s = %v, want %v", c.what, err, c.want)
		}
		if got, want := counter.Counts().Sub(before), (sqltest.Counts{Execs: c.updates}); got != want {
			t.Errorf("UpdateSessionExpiry %s sent %+v, want %+v", c.what, got, want)
		}
	}
}
