package migrate_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/storeurl"
	"github.com/narvik-go/narvik/storeurl/storeurltest"
)

var bg = context.Background()

type device struct {
	IP string `json:"ip"`
}

// issued is a session created through narvik, with its token.
type issued struct {
	token, id, user string
}

// size is n, or the value of the variable name when it is set: the
// benchmarks and a curious developer run the full size.
func size(tb testing.TB, name string, n int) int {
	if v := os.Getenv(name); v != "" {
		m, err := strconv.Atoi(v)
		if err != nil || m < 1 {
			tb.Fatalf("%s=%q: want a positive number", name, v)
		}
		return m
	}
	return n
}

// open opens a store URL for tb, creating its schema, and closes it when tb
// ends.
func open(tb testing.TB, url string) narvik.SessionStore {
	tb.Helper()
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	o, err := storeurl.Open(ctx, url, storeurl.Create())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := o.Close(); err != nil {
			tb.Errorf("close %s: %v", o.Description(), err)
		}
	})
	if _, err := o.EnsureSchema(ctx); err != nil {
		tb.Fatal(err)
	}
	return o.Store
}

// newStore opens a fresh store of kind for tb.
func newStore(tb testing.TB, kind storeurl.Kind) narvik.SessionStore {
	tb.Helper()
	if kind == storeurl.Memory {
		return memstore.New()
	}
	return open(tb, storeurltest.URL(tb, kind))
}

// issue creates live sessions in s through narvik, spread over users
// users, with workers goroutines. With age, the sessions were created that
// long ago (by the clock of the narvik that created them) and have as much
// less time left.
func issue(tb testing.TB, s narvik.SessionStore, n, users int, age time.Duration) []issued {
	tb.Helper()
	var opts []narvik.Option
	if age != 0 {
		opts = append(opts, narvik.WithClock(func() time.Time { return time.Now().Add(-age) }))
	}
	auth, err := narvik.New[device](s, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]issued, n)
	each(tb, n, func(i int) error {
		user := fmt.Sprintf("user-%d", i%users)
		res, err := auth.CreateSession(bg, user, device{IP: fmt.Sprintf("198.51.100.%d", i%250)})
		if err != nil {
			return err
		}
		out[i] = issued{token: res.Token, id: res.Session.ID, user: user}
		return nil
	})
	return out
}

// issueExpired saves n sessions in s that expired a minute ago.
func issueExpired(tb testing.TB, s narvik.SessionStore, n int) []issued {
	tb.Helper()
	auth, err := narvik.New[device](s, narvik.WithSessionExpiresIn(time.Hour),
		narvik.WithClock(func() time.Time { return time.Now().Add(-time.Hour - time.Minute) }))
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]issued, n)
	for i := range n {
		res, err := auth.CreateSession(bg, "expired-user", device{})
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = issued{token: res.Token, id: res.Session.ID, user: "expired-user"}
	}
	return out
}

// validating returns how many of sessions validate through s, failing the
// test on a store error or a session of the wrong user. It validates on
// several goroutines, as a server would: a store on the network answers
// them together.
func validating(tb testing.TB, s narvik.SessionStore, sessions []issued) int {
	tb.Helper()
	auth, err := narvik.New[device](s)
	if err != nil {
		tb.Fatal(err)
	}
	var n atomic.Int64
	each(tb, len(sessions), func(i int) error {
		is := sessions[i]
		got, err := auth.ValidateSession(bg, is.token)
		switch {
		case err != nil:
			return fmt.Errorf("validate a session of %s: %w", is.user, err)
		case got != nil && got.UserID != is.user:
			return fmt.Errorf("a token of %s validates as %s", is.user, got.UserID)
		case got != nil:
			n.Add(1)
		}
		return nil
	})
	return int(n.Load())
}

// each runs f(0) to f(n-1) on 8 goroutines and fails tb with the first
// error.
func each(tb testing.TB, n int, f func(i int) error) {
	tb.Helper()
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if err := f(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		tb.Fatal(err)
	}
}
