package mongostore_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
)

// TestConcernsSent watches the commands the driver sends and checks that the
// store uses the documented concerns even when the collection it was given
// asks for weaker ones: every write carries writeConcern {w: "majority"} and
// every read readConcern {level: "local"}. What the server then does with
// them is the server's (FerretDB ignores them; a replica set honours them).
func TestConcernsSent(t *testing.T) {
	var cmds commands
	client := connectWith(t, cmds.monitor())

	// A collection configured with the weakest settings: the store must
	// override them.
	coll := newCollection(t, client).Clone(options.Collection().
		SetWriteConcern(writeconcern.W1()).
		SetReadConcern(readconcern.Available()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mongostore.New(coll, mongostore.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Millisecond)
	r := narvik.Record{ID: "c", UserID: "u", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
	cmds.take()
	steps := []error{
		s.SaveSession(ctx, r),
		func() error { _, err := s.FetchSession(ctx, r.ID); return err }(),
		s.UpdateSessionExpiry(ctx, r.ID, now.Add(2*time.Hour)),
		func() error { _, err := s.FetchSessionsForUser(ctx, r.UserID); return err }(),
		func() error {
			for _, err := range s.AllSessions(ctx) {
				return err
			}
			return nil
		}(),
		func() error { _, err := s.DeleteAllExpiredSessions(ctx); return err }(),
		s.DeleteSessionsForUser(ctx, r.UserID),
		s.DeleteSession(ctx, r.ID),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}

	sent := cmds.take()
	want := map[string]int{"insert": 1, "find": 3, "update": 1, "delete": 3}
	for name, n := range want {
		if got := len(sent[name]); got != n {
			t.Errorf("%d %s commands, want %d", got, name, n)
		}
	}
	for _, name := range []string{"insert", "update", "delete"} {
		for _, c := range sent[name] {
			w, err := c.LookupErr("writeConcern", "w")
			if v, ok := w.StringValueOK(); err != nil || !ok || v != "majority" {
				t.Errorf("%s sent writeConcern %v, want {w: \"majority\"}: %s", name, c.Lookup("writeConcern"), c)
			}
		}
	}
	for _, c := range sent["find"] {
		lvl, err := c.LookupErr("readConcern", "level")
		if v, ok := lvl.StringValueOK(); err != nil || !ok || v != "local" {
			t.Errorf("find sent readConcern %v, want {level: \"local\"}: %s", c.Lookup("readConcern"), c)
		}
	}
}
