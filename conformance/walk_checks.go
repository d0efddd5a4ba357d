package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/narvik-go/narvik"
)

// walk collects what AllSessions yields, failing the test on an error or on
// a record yielded twice.
func walk(t *testing.T, s narvik.SessionStore, during func(yielded int)) map[string]narvik.Record {
	t.Helper()
	seen := map[string]narvik.Record{}
	for r, err := range s.(narvik.Enumerator).AllSessions(ctx(t)) {
		if err != nil {
			t.Fatalf("AllSessions yielded an error after %d records: %v", len(seen), err)
		}
		if _, dup := seen[r.ID]; dup {
			t.Fatalf("AllSessions yielded %s twice: every record exactly once, even while others are written", short(r.ID))
		}
		seen[r.ID] = r
		if during != nil {
			during(len(seen))
		}
	}
	return seen
}

// assertWalked fails unless seen holds every record of want, unchanged, and
// nothing that is expired.
func assertWalked(t *testing.T, seen map[string]narvik.Record, want []narvik.Record, expired []narvik.Record) {
	t.Helper()
	for _, r := range want {
		got, ok := seen[r.ID]
		if !ok {
			t.Fatalf("AllSessions did not yield %s of user %s, a live record stored during the whole walk (%d yielded)", short(r.ID), short(r.UserID), len(seen))
		}
		if d := diff(got, r); d != "" {
			t.Fatalf("AllSessions yielded a record that differs from the stored one:%s", d)
		}
	}
	for _, r := range expired {
		if _, ok := seen[r.ID]; ok {
			t.Fatalf("AllSessions yielded %s, which is expired: only live records are walked", short(r.ID))
		}
	}
}

var walkChecks = []check{
	{"Empty", func(t *testing.T, s narvik.SessionStore) {
		if seen := walk(t, s, nil); len(seen) != 0 {
			t.Fatalf("AllSessions of an empty store yielded %d records", len(seen))
		}
	}},
	{"Everything", func(t *testing.T, s narvik.SessionStore) {
		var live, expired []narvik.Record
		for i := range 250 {
			r := newRecord(fmt.Sprintf("walker-%d", i%9))
			save(t, s, r)
			live = append(live, r)
		}
		for i := range 20 {
			r := expiredRecord(fmt.Sprintf("walker-%d", i%9))
			save(t, s, r)
			expired = append(expired, r)
		}
		seen := walk(t, s, nil)
		assertWalked(t, seen, live, expired)
		if len(seen) != len(live) {
			t.Fatalf("AllSessions yielded %d records, want the %d live ones", len(seen), len(live))
		}
	}},
	{"EarlyStop", func(t *testing.T, s narvik.SessionStore) {
		for range 30 {
			save(t, s, newRecord("walker"))
		}
		n := 0
		for _, err := range s.(narvik.Enumerator).AllSessions(ctx(t)) {
			if err != nil {
				t.Fatalf("AllSessions: %v", err)
			}
			if n++; n == 3 {
				break
			}
		}
		if n != 3 {
			t.Fatalf("the loop saw %d records before its break, want 3", n)
		}
		if seen := walk(t, s, nil); len(seen) != 30 {
			t.Fatalf("a walk after a stopped one yielded %d records, want 30", len(seen))
		}
	}},
	{"WhileWriting", func(t *testing.T, s narvik.SessionStore) {
		// Records written and deleted during the walk may or may not be
		// yielded; the records that stay stored throughout must be, each once.
		var kept, doomed []narvik.Record
		for i := range 400 {
			r := newRecord(fmt.Sprintf("walker-%d", i%11))
			save(t, s, r)
			if i%4 == 0 {
				doomed = append(doomed, r)
			} else {
				kept = append(kept, r)
			}
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var bgErr error
		wg.Add(1)
		go func() { // a writer beside the walk, as a live application is
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := newRecord(fmt.Sprintf("writer-%d", i%5))
				if err := s.SaveSession(context.Background(), r); err != nil {
					bgErr = err
					return
				}
				if i%2 == 0 {
					if err := s.DeleteSession(context.Background(), r.ID); err != nil {
						bgErr = err
						return
					}
				}
			}
		}()
		next := 0
		seen := walk(t, s, func(yielded int) {
			// Inside the loop: delete some records, save new ones.
			if yielded%10 == 0 && next < len(doomed) {
				if err := s.DeleteSession(ctx(t), doomed[next].ID); err != nil {
					t.Errorf("DeleteSession during the walk: %v", err)
				}
				next++
				save(t, s, newRecord("inside"))
			}
		})
		close(stop)
		wg.Wait()
		if bgErr != nil {
			t.Fatalf("a write beside the walk failed: %v", bgErr)
		}
		assertWalked(t, seen, kept, nil)
	}},
	{"Cancelled", func(t *testing.T, s narvik.SessionStore) {
		save(t, s, newRecord("walker"))
		c, cancel := context.WithCancel(context.Background())
		cancel()
		n := 0
		for r, err := range s.(narvik.Enumerator).AllSessions(c) {
			if err == nil {
				t.Fatalf("AllSessions with a cancelled context yielded %s; want only an error that errors.Is context.Canceled", short(r.ID))
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("AllSessions with a cancelled context yielded %v, want an error that errors.Is context.Canceled", err)
			}
			n++
		}
		if n != 1 {
			t.Fatalf("AllSessions with a cancelled context yielded %d errors, want exactly one", n)
		}
	}},
}
