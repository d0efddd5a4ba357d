package testkit

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/narvik-go/narvik"
)

// SaveMany saves n records, the i-th record(i), from workers goroutines
// at once, as a busy store sees them, and fails the test if any save
// fails. record is called from those goroutines.
func SaveMany(tb testing.TB, s narvik.SessionStore, workers, n int, record func(i int) narvik.Record) {
	tb.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := s.SaveSession(context.Background(), record(i)); err != nil {
					errs <- fmt.Errorf("record %d: %w", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatalf("saving %d records from %d goroutines: %v", n, workers, err)
	}
}
