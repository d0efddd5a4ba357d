package dynamostore_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// TestRoundTrips pins the requests each operation sends, as doc.go states
// them: validation is one GetItem, an extension adds one UpdateItem, and
// signing a user out everywhere is a Query, one BatchWriteItem per 25
// sessions and a second Query that finds nothing.
func TestRoundTrips(t *testing.T) {
	var rec opRecorder
	client := newClient(t, endpoint(t), rec.option)
	s, _ := newTableStore(t, client)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	clock := time.Now()
	n, err := narvik.New[struct{}](s, narvik.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string, want map[string]int) {
		t.Helper()
		if got := rec.take(); !maps.Equal(got, want) {
			t.Fatalf("%s sent %v, want %v", what, got, want)
		}
	}
	rec.take()

	res, err := n.CreateSession(ctx, "u", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	expect("CreateSession", map[string]int{"PutItem": 1})

	if got, err := n.ValidateSession(ctx, res.Token); err != nil || got == nil || got.Extended {
		t.Fatalf("ValidateSession = %+v, %v", got, err)
	}
	expect("ValidateSession", map[string]int{"GetItem": 1})

	clock = clock.Add(20 * 24 * time.Hour) // into the second half of 30 days
	if got, err := n.ValidateSession(ctx, res.Token); err != nil || got == nil || !got.Extended {
		t.Fatalf("ValidateSession in the extension window = %+v, %v", got, err)
	}
	expect("ValidateSession with extension", map[string]int{"GetItem": 1, "UpdateItem": 1})

	for range 29 {
		if _, err := n.CreateSession(ctx, "u", struct{}{}); err != nil {
			t.Fatal(err)
		}
	}
	rec.take()
	if list, err := n.FetchSessionsForUser(ctx, "u"); err != nil || len(list) != 30 {
		t.Fatalf("FetchSessionsForUser = %d, %v; want 30", len(list), err)
	}
	expect("FetchSessionsForUser of 30", map[string]int{"Query": 1})

	if err := n.DeleteSessionsForUser(ctx, "u"); err != nil {
		t.Fatal(err)
	}
	expect("DeleteSessionsForUser of 30", map[string]int{"Query": 2, "BatchWriteItem": 2})

	if err := n.InvalidateSession(ctx, res.Session.ID); err != nil {
		t.Fatal(err)
	}
	expect("InvalidateSession", map[string]int{"DeleteItem": 1})
}
