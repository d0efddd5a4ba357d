package dynamostore_test

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dynamostore"
)

// saveExpired saves n expired and live live sessions.
func saveExpired(t *testing.T, s narvik.SessionStore, n, live int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := time.Now().Truncate(time.Millisecond)
	for i := range n + live {
		r := narvik.Record{ID: fmt.Sprintf("%064x", i), UserID: fmt.Sprintf("u%d", i%7), CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}
		if i >= n {
			r.ExpiresAt = now.Add(time.Hour)
		}
		if err := s.SaveSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSweepRequests pins what a sweep sends, as doc.go states it: a Scan
// per page of each segment and one conditional DeleteItem per expired item;
// a sweep that finds nothing expired sends only the Scan.
func TestSweepRequests(t *testing.T) {
	t.Parallel() // own table; pauses until the serial tests (which count goroutines) are done
	var rec opRecorder
	client := newClient(t, endpoint(t), rec.option)
	s, _ := newTableStore(t, client, dynamostore.WithExpiredSweep(1))
	saveExpired(t, s, 60, 10)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec.take()
	if n, err := s.DeleteAllExpiredSessions(ctx); err != nil || n != 60 {
		t.Fatalf("DeleteAllExpiredSessions = %d, %v; want 60", n, err)
	}
	if got, want := rec.take(), map[string]int{"Scan": 1, "DeleteItem": 60}; !maps.Equal(got, want) {
		t.Fatalf("a sweep of 60 expired items sent %v, want %v", got, want)
	}
	if n, err := s.DeleteAllExpiredSessions(ctx); err != nil || n != 0 {
		t.Fatalf("second DeleteAllExpiredSessions = %d, %v; want 0", n, err)
	}
	if got, want := rec.take(), map[string]int{"Scan": 1}; !maps.Equal(got, want) {
		t.Fatalf("a sweep of nothing sent %v, want %v", got, want)
	}
}

// TestSweepsOnManyMachines: six stores on one table, as six machines'
// cleanup jobs, each scanning in 3 segments of 7-item pages, sweep 300
// expired items at once. Each item is removed once and counted once: the
// counts add up to exactly 300 (with unconditional batch deletes they added
// up to several times that), and the live items stay.
func TestSweepsOnManyMachines(t *testing.T) {
	t.Parallel() // own table; pauses until the serial tests (which count goroutines) are done
	client := newClient(t, endpoint(t))
	first, table := newTableStore(t, client, dynamostore.WithExpiredSweep(3), dynamostore.WithQueryPageSize(7))
	saveExpired(t, first, 300, 20)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const machines = 6
	counts := make([]int, machines)
	errs := make([]error, machines)
	var wg sync.WaitGroup
	for i := range machines {
		s, err := dynamostore.New(client, table, dynamostore.WithExpiredSweep(3), dynamostore.WithQueryPageSize(7))
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = s.DeleteAllExpiredSessions(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range machines {
		if errs[i] != nil {
			t.Fatalf("sweep %d: %v", i, errs[i])
		}
		total += counts[i]
	}
	if total != 300 {
		t.Fatalf("%d concurrent sweeps returned %v, %d in all; want 300, each item counted by the sweep that removed it", machines, counts, total)
	}
	if n, err := first.DeleteAllExpiredSessions(ctx); err != nil || n != 0 {
		t.Fatalf("a sweep after the concurrent ones = %d, %v; want 0: every expired item is gone", n, err)
	}
	live := 0
	for u := range 7 {
		list, err := first.FetchSessionsForUser(ctx, fmt.Sprintf("u%d", u))
		if err != nil {
			t.Fatal(err)
		}
		live += len(list)
	}
	if live != 20 {
		t.Fatalf("%d live items after the sweeps, want 20", live)
	}
}
