package sqltest

import (
	"context"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// RoundTrips pins the statements each narvik operation costs on store,
// whose client counts reports (a Counter's Counts for database/sql, a
// tracer for pgx), as the drivers' documentation promises: every
// statement is prepared on its first use and kept, so that each call is
// then one round trip per statement.
//
//	CreateSession                    1 INSERT
//	ValidateSession                  1 SELECT
//	ValidateSession with extension   1 SELECT + 1 UPDATE
//	InvalidateSession                1 DELETE
//	ValidateSession, signed out      1 SELECT
//
// The first round, on a store that has sent nothing yet but its schema,
// may prepare each statement once, on the operation that first uses it.
// Three more rounds, each on a new session, must prepare nothing and
// close no statement: a store that re-prepared per call, or closed its
// statements, fails there. The core's clock (narvik.WithClock) moves past
// half the session's lifetime so that the validation extends it.
func RoundTrips(t *testing.T, store narvik.SessionStore, counts func() Counts) {
	t.Helper()
	now := time.Now()
	const lifetime = 2 * time.Hour
	auth, err := narvik.New[struct{}](store, narvik.WithClock(func() time.Time { return now }), narvik.WithSessionExpiresIn(lifetime))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for round := range 4 {
		first := round == 0
		// measure runs f and checks what it sent: execs statements, and on
		// the first round prepared of them prepared.
		measure := func(what string, execs, prepared int64, f func() error) {
			t.Helper()
			if !first {
				prepared = 0
			}
			before := counts()
			if err := f(); err != nil {
				t.Fatalf("round %d: %s: %v", round, what, err)
			}
			got := counts().Sub(before)
			if want := (Counts{Prepares: prepared, Execs: execs}); got != want {
				t.Errorf("round %d: %s sent %+v, want %+v", round, what, got, want)
			}
		}
		var res *narvik.CreateSessionResult[struct{}]
		measure("CreateSession", 1, 1, func() (err error) {
			res, err = auth.CreateSession(ctx, "u", struct{}{})
			return err
		})
		measure("ValidateSession", 1, 1, func() error {
			s, err := auth.ValidateSession(ctx, res.Token)
			if err == nil && (s == nil || s.Extended) {
				t.Errorf("round %d: ValidateSession = %+v, want the session, not extended", round, s)
			}
			return err
		})
		now = now.Add(lifetime/2 + time.Minute) // past half the lifetime: the validation extends
		measure("ValidateSession with extension", 2, 1, func() error {
			s, err := auth.ValidateSession(ctx, res.Token)
			if err == nil && (s == nil || !s.Extended) {
				t.Errorf("round %d: ValidateSession = %+v, want the session extended", round, s)
			}
			return err
		})
		measure("InvalidateSession", 1, 1, func() error { return auth.InvalidateSession(ctx, res.Session.ID) })
		measure("ValidateSession, signed out", 1, 0, func() error {
			s, err := auth.ValidateSession(ctx, res.Token)
			if err == nil && s != nil {
				t.Errorf("round %d: ValidateSession after InvalidateSession = %+v, want none", round, s)
			}
			return err
		})
	}
}
