package storekit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

func TestWrapKeepsContextErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A client that reports the cancellation as an error of its own.
	err := storekit.Wrap(ctx, "xstore: fetch session", errors.New("use of closed network connection"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Wrap = %v, want an error that matches context.Canceled", err)
	}
	if !strings.HasPrefix(err.Error(), "xstore: fetch session: ") {
		t.Fatalf("Wrap = %q, want it to start with what", err)
	}
	// An error that already carries the context's error is not doubled.
	if got := storekit.Wrap(ctx, "op", context.Canceled).Error(); got != "op: context canceled" {
		t.Fatalf("Wrap(context.Canceled) = %q", got)
	}
	if storekit.Wrap(context.Background(), "op", nil) != nil {
		t.Fatal("Wrap(nil) != nil")
	}
	live := storekit.Wrap(context.Background(), "op", narvik.ErrSessionNotFound)
	if !errors.Is(live, narvik.ErrSessionNotFound) || errors.Is(live, context.Canceled) {
		t.Fatalf("Wrap with a live context = %v", live)
	}
}

// lagging is a context whose deadline has passed but whose Err is still
// nil: the instant between a deadline and the timer that ends the context,
// in which Go's network poller, holding the same deadline, can already have
// failed a dial or read with os.ErrDeadlineExceeded ("i/o timeout", which
// does not match context.DeadlineExceeded). Found by the MariaDB frozen
// outage: "mysqlstore: delete sessions for user: dial tcp ...: i/o timeout".
type lagging struct{ context.Context }

func (lagging) Deadline() (time.Time, bool) { return time.Now().Add(-time.Millisecond), true }

func TestWrapTimeoutAtThePassedDeadline(t *testing.T) {
	ctx := lagging{context.Background()}
	timeout := &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}
	if err := storekit.Wrap(ctx, "xstore: delete sessions for user", timeout); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wrap = %v, want an error that matches context.DeadlineExceeded: the caller's deadline passed", err)
	}
	// Only a timeout is the deadline's doing.
	if err := storekit.Wrap(ctx, "op", narvik.ErrSessionNotFound); errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wrap(ErrSessionNotFound) past the deadline = %v, want no deadline error", err)
	}
	// A timeout of the client's own (its read timeout) before the deadline
	// is not the caller's deadline.
	early, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if err := storekit.Wrap(early, "op", timeout); errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wrap(timeout) an hour before the deadline = %v, want no deadline error", err)
	}
}

func TestLive(t *testing.T) {
	now := time.UnixMilli(1_700_000_000_000)
	for _, c := range []struct {
		expires time.Time
		want    bool
	}{
		{now.Add(time.Millisecond), true},
		{now, false}, // the boundary is expired, as narvik defines it
		{now.Add(-time.Millisecond), false},
	} {
		if got := storekit.Live(c.expires, now); got != c.want {
			t.Errorf("Live(now%+v) = %v, want %v", c.expires.Sub(now), got, c.want)
		}
	}
}

func TestErrorsWrapTheCoreSentinels(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
		text string
	}{
		{storekit.InvalidOption("xstore", "WithTable(%q): want an identifier", "a b"), narvik.ErrInvalidOption, `xstore: WithTable("a b"): want an identifier`},
		{storekit.NilClient("xstore", "*sql.DB"), narvik.ErrNilClient, "xstore: New: nil *sql.DB"},
		{storekit.BadRecord("xstore", "abc", "%d bytes", 3), narvik.ErrBadRecord, `xstore: session "abc": 3 bytes`},
		{storekit.InvalidUserID("xstore", "\xff", "not valid UTF-8"), narvik.ErrInvalidUserID, `xstore: user ID "\xff": not valid UTF-8`},
		{storekit.CheckSessionID("xstore", "ABC"), narvik.ErrInvalidSessionID, `xstore: session ID "ABC"`},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%v does not match %v", c.err, c.want)
		}
		if !strings.Contains(c.err.Error(), c.text) {
			t.Errorf("%q does not say %q", c.err, c.text)
		}
	}
}

func TestValidSessionID(t *testing.T) {
	good := narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567")
	if !storekit.ValidSessionID(good) || storekit.CheckSessionID("x", good) != nil {
		t.Fatalf("%s refused", good)
	}
	for _, bad := range []string{"", good[:63], good + "0", strings.ToUpper(good), good[:63] + "g", good[:63] + " ", good[:63] + "\x00"} {
		if storekit.ValidSessionID(bad) {
			t.Errorf("ValidSessionID(%q) = true", bad)
		}
	}
}

func TestShort(t *testing.T) {
	if got := storekit.Short(strings.Repeat("k", 1024)); len(got) > 60 || !strings.Contains(got, "1024 bytes") {
		t.Fatalf("Short of 1 KiB = %q", got)
	}
}

func TestApplySkipsNil(t *testing.T) {
	type config struct{ n int }
	type option func(*config)
	var c config
	storekit.Apply(&c, []option{nil, func(c *config) { c.n++ }, nil, func(c *config) { c.n *= 10 }})
	if c.n != 10 {
		t.Fatalf("n = %d, want 10 (options in order, nil skipped)", c.n)
	}
}

func TestWalk(t *testing.T) {
	now := time.Now()
	rec := func(i int, live bool) narvik.Record {
		r := narvik.Record{ID: fmt.Sprint(i), UserID: "u", ExpiresAt: now.Add(time.Hour)}
		if !live {
			r.ExpiresAt = now.Add(-time.Hour)
		}
		return r
	}
	pages := [][]narvik.Record{{rec(1, true), rec(2, false)}, {}, {rec(3, true), rec(4, true)}}
	page := func(_ context.Context, cursor int) ([]narvik.Record, int, bool, error) {
		return pages[cursor], cursor + 1, cursor == len(pages)-1, nil
	}
	var got []string
	for r, err := range storekit.Walk(context.Background(), "xstore: walk", page) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r.ID)
	}
	if strings.Join(got, ",") != "1,3,4" {
		t.Fatalf("walk yielded %v, want 1,3,4 (expired 2 skipped, empty page crossed)", got)
	}

	// Breaking stops the walk: no further page is read.
	reads := 0
	counting := func(ctx context.Context, cursor int) ([]narvik.Record, int, bool, error) {
		reads++
		return page(ctx, cursor)
	}
	for range storekit.Walk(context.Background(), "xstore: walk", counting) {
		break
	}
	if reads != 1 {
		t.Fatalf("a loop that broke at the first record read %d pages, want 1", reads)
	}

	// An error is yielded once, last.
	boom := errors.New("boom")
	failing := func(_ context.Context, cursor int) ([]narvik.Record, int, bool, error) {
		if cursor == 1 {
			return nil, 0, false, boom
		}
		return []narvik.Record{rec(cursor, true)}, cursor + 1, false, nil
	}
	var errs, records int
	for _, err := range storekit.Walk(context.Background(), "xstore: walk", failing) {
		if err != nil {
			errs++
			if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "xstore: walk: ") {
				t.Fatalf("error %v", err)
			}
			continue
		}
		records++
	}
	if errs != 1 || records != 1 {
		t.Fatalf("failing walk: %d records, %d errors; want 1, 1", records, errs)
	}

	// A cancelled context ends the walk with its error, before any read.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	reads = 0
	yielded := 0
	for _, err := range storekit.Walk(ctx, "xstore: walk", counting) {
		yielded++
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("walk with a cancelled context yielded %v", err)
		}
	}
	if reads != 0 || yielded != 1 {
		t.Fatalf("walk with a cancelled context read %d pages and yielded %d times; want 0 reads and its error once", reads, yielded)
	}
}
