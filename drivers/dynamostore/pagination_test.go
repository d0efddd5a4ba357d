package dynamostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// saveUser saves n live sessions of userID with dataSize bytes of data each
// and, interleaved, expired ones, from a few goroutines; it returns the live
// ones by ID.
func saveUser(t *testing.T, s *dynamostore.Store, userID string, live, expired, dataSize int) map[string]narvik.Record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	now := time.Now().Truncate(time.Millisecond)
	records := make([]narvik.Record, 0, live+expired)
	want := make(map[string]narvik.Record, live)
	every := (live + expired) / max(expired, 1) // spread expired items over the pages
	for i := range live + expired {
		var b [16]byte
		_, _ = rand.Read(b[:])
		r := narvik.Record{ID: hex.EncodeToString(b[:]), UserID: userID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), Data: make([]byte, dataSize)}
		_, _ = rand.Read(r.Data)
		if expired > 0 && i%every == 0 && i/every < expired {
			r.ExpiresAt = now.Add(-time.Minute)
		} else {
			want[r.ID] = r
		}
		records = append(records, r)
	}
	if len(want) != live {
		t.Fatalf("saveUser made %d live records, want %d", len(want), live)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(records); i += 8 {
				if err := s.SaveSession(ctx, records[i]); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("SaveSession: %v", err)
	}
	return want
}

func assertListed(t *testing.T, s *dynamostore.Store, userID string, want map[string]narvik.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := s.FetchSessionsForUser(ctx, userID)
	if err != nil {
		t.Fatalf("FetchSessionsForUser: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("FetchSessionsForUser listed %d sessions, want %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, r := range got {
		w, ok := want[r.ID]
		if !ok || seen[r.ID] {
			t.Fatalf("FetchSessionsForUser listed %s (expired, unknown or twice)", r.ID)
		}
		if !r.ExpiresAt.Equal(w.ExpiresAt) || len(r.Data) != len(w.Data) || string(r.Data) != string(w.Data) {
			t.Fatalf("listed %s differs from the saved record", r.ID)
		}
		seen[r.ID] = true
	}
}

// TestPaginationSmallPages forces many Query pages with a page size of 7 and
// checks that listing and deleting follow LastEvaluatedKey to the end, with
// expired items spread over the pages.
func TestPaginationSmallPages(t *testing.T) {
	t.Parallel() // own tables; pauses until the serial tests (the outage test counts goroutines) are done
	var rec opRecorder
	client := newClient(t, endpoint(t), rec.option)
	// WithExpiredSweep keeps TTL off: DynamoDB Local's TTL deletes expired
	// items about 2 s after expiry, which would make the counts below vary.
	s, _ := newTableStore(t, client, dynamostore.WithQueryPageSize(7), dynamostore.WithExpiredSweep(1))
	want := saveUser(t, s, "paged", 100, 30, 16)
	saveUser(t, s, "someone-else", 5, 0, 16)

	rec.take()
	assertListed(t, s, "paged", want)
	// 130 items at 7 per page: 19 pages, the last one possibly followed by an
	// empty page that tells there is nothing more.
	if q := rec.take()["Query"]; q < 19 || q > 20 {
		t.Fatalf("listing 130 items at 7 per page took %d queries, want 19 or 20", q)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.DeleteSessionsForUser(ctx, "paged"); err != nil {
		t.Fatalf("DeleteSessionsForUser: %v", err)
	}
	ops := rec.take()
	// 130 deletes in batches of at most 25 per page of 7: one batch per page.
	if ops["BatchWriteItem"] < 19 {
		t.Fatalf("DeleteSessionsForUser sent %v, want a BatchWriteItem per page", ops)
	}
	assertListed(t, s, "paged", nil)
	if got, err := s.FetchSessionsForUser(ctx, "someone-else"); err != nil || len(got) != 5 {
		t.Fatalf("another user's sessions after DeleteSessionsForUser: %d, %v; want 5", len(got), err)
	}
}

// TestPaginationPastOneMegabyte lists and deletes one user's 1,100 sessions
// of 1 KiB each (over 1.1 MB), more than one Query page of DynamoDB's 1 MB
// cap holds, with the default page size.
func TestPaginationPastOneMegabyte(t *testing.T) {
	t.Parallel() // own tables; pauses until the serial tests (the outage test counts goroutines) are done
	var rec opRecorder
	client := newClient(t, endpoint(t), rec.option)
	s, _ := newTableStore(t, client)
	want := saveUser(t, s, "big", 1100, 20, 1024)
	rec.take()
	assertListed(t, s, "big", want)
	if q := rec.take()["Query"]; q < 2 {
		t.Fatalf("listing over 1 MB took %d Query, want at least 2 pages (DynamoDB caps a page at 1 MB)", q)
	} else {
		t.Logf("listing 1,120 items of ~1.1 KB took %d Query pages", q)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.DeleteSessionsForUser(ctx, "big"); err != nil {
		t.Fatalf("DeleteSessionsForUser: %v", err)
	}
	ops := rec.take()
	// At least the 1,100 live items; the 20 expired ones may already be gone,
	// deleted by DynamoDB Local's TTL.
	if ops["BatchWriteItem"] < 1100/25 {
		t.Fatalf("deleting over 1,100 items sent %d BatchWriteItem, want at least %d", ops["BatchWriteItem"], 1100/25)
	}
	assertListed(t, s, "big", nil)
	t.Logf("DeleteSessionsForUser of 1,100 to 1,120 items: %s", fmt.Sprint(ops))
}
