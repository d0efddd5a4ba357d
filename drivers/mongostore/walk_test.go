package mongostore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
)

// TestWalkPages checks the shape of AllSessions' queries: keyset pages of
// WithWalkPageSize documents in _id order, expired documents filtered by
// the server, and as many finds as pages (the last one short), so memory
// is one page whatever the size of the collection.
func TestWalkPages(t *testing.T) {
	var cmds commands
	client := connectWith(t, cmds.monitor())
	const page, live, expired = 7, 50, 5
	s, _ := newStore(t, client, mongostore.WithWalkPageSize(page))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := time.Now().Truncate(time.Millisecond)
	var want []string
	for i := range live + expired {
		r := narvik.Record{ID: fmt.Sprintf("walk-%03d", i), UserID: "u", ExpiresAt: now.Add(time.Hour), CreatedAt: now}
		if i%11 == 3 && i/11 < expired {
			r.ExpiresAt = now.Add(-time.Minute)
		} else {
			want = append(want, r.ID)
		}
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if len(want) != live {
		t.Fatalf("fixture: %d live records, want %d", len(want), live)
	}
	cmds.take()

	var got []string
	for r, err := range s.AllSessions(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("AllSessions yielded %v,\nwant the live records in _id order %v", got, want)
	}

	finds := cmds.take()["find"]
	if wantPages := live/page + 1; len(finds) != wantPages {
		t.Fatalf("the walk sent %d finds, want %d: one per page of %d", len(finds), wantPages, page)
	}
	for i, f := range finds {
		if limit, ok := f.Lookup("limit").AsInt64OK(); !ok || limit != page {
			t.Errorf("find %d has limit %v, want %d: %s", i, f.Lookup("limit"), page, f)
		}
		if dir, ok := f.Lookup("sort", "_id").AsInt64OK(); !ok || dir != 1 {
			t.Errorf("find %d is not sorted by _id: %s", i, f)
		}
		if _, err := f.LookupErr("filter", "expiresAt", "$gt"); err != nil {
			t.Errorf("find %d does not filter expired documents on the server: %s", i, f)
		}
		_, err := f.LookupErr("filter", "_id", "$gt")
		if first := i == 0; first != (err != nil) {
			t.Errorf("find %d: filter on _id %v; want none on the first page and _id > last on the others: %s", i, err == nil, f)
		}
	}
	if last, _ := finds[1].Lookup("filter", "_id", "$gt").StringValueOK(); last != got[page-1] {
		t.Errorf("the second page starts after %q, want after %q, the last _id of the first", last, got[page-1])
	}
}
