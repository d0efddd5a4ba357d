package conformance

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/internal/testkit"
)

// data is the session data the Core checks store through the core.
type data struct {
	IP   string   `json:"ip"`
	Tags []string `json:"tags"`
}

// newClock returns a settable clock for the core. Stores keep using the
// real clock, so moving it forward puts a session in its extension window
// without waiting.
func newClock() *testkit.Clock { return testkit.NewClock(time.Now()) }

const length = 30 * 24 * time.Hour

func newCore(t *testing.T, s narvik.SessionStore, c *testkit.Clock) *narvik.Narvik[data] {
	t.Helper()
	n, err := narvik.New[data](s, narvik.WithClock(c.Now), narvik.WithSessionExpiresIn(length))
	if err != nil {
		t.Fatalf("narvik.New: %v", err)
	}
	return n
}

func create(t *testing.T, n *narvik.Narvik[data], userID string) *narvik.CreateSessionResult[data] {
	t.Helper()
	res, err := n.CreateSession(ctx(t), userID, data{IP: "192.0.2.7", Tags: []string{"a", "b"}})
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return res
}

var coreChecks = []check{
	{"CreateValidate", func(t *testing.T, s narvik.SessionStore) {
		n := newCore(t, s, newClock())
		res := create(t, n, "user-1")
		if !res.Session.New || res.Session.ID != narvik.SessionIDFromToken(res.Token) {
			t.Fatalf("CreateSession = %+v, want New and ID = SessionIDFromToken(token)", res.Session)
		}
		got, err := n.ValidateSession(ctx(t), res.Token)
		if err != nil || got == nil {
			t.Fatalf("ValidateSession of a new session = %v, %v; want the session", got, err)
		}
		want := *res.Session
		want.New = false // New is set by CreateSession alone, never by ValidateSession
		if got.ID != want.ID || got.UserID != want.UserID || !got.ExpiresAt.Equal(want.ExpiresAt) ||
			!got.CreatedAt.Equal(want.CreatedAt) || got.Data.IP != want.Data.IP || !slices.Equal(got.Data.Tags, want.Data.Tags) ||
			got.New || got.Extended {
			t.Fatalf("ValidateSession = %+v, want %+v", *got, want)
		}
		r := fetch(t, s, res.Session.ID)
		if r.ID != res.Session.ID || r.UserID != "user-1" {
			t.Fatalf("the store holds %s of %s, want the session ID (the token's hash), never the token", short(r.ID), short(r.UserID))
		}
	}},
	{"Extend", func(t *testing.T, s narvik.SessionStore) {
		c := newClock()
		n := newCore(t, s, c)
		res := create(t, n, "user-1")
		c.Advance(length/2 + time.Hour) // less than half is left
		got, err := n.ValidateSession(ctx(t), res.Token)
		if err != nil || got == nil || !got.Extended {
			t.Fatalf("ValidateSession in the extension window = %+v, %v; want an extended session", got, err)
		}
		want := c.Now().Add(length).Truncate(time.Millisecond)
		if !got.ExpiresAt.Equal(want) {
			t.Fatalf("extended ExpiresAt = %v, want %v", got.ExpiresAt, want)
		}
		if r := fetch(t, s, res.Session.ID); !r.ExpiresAt.Equal(want) {
			t.Fatalf("after extension the store says ExpiresAt = %v, want %v", r.ExpiresAt, want)
		}
		again, err := n.ValidateSession(ctx(t), res.Token)
		if err != nil || again == nil || again.Extended {
			t.Fatalf("ValidateSession right after an extension = %+v, %v; want the session, not extended again", again, err)
		}
	}},
	{"ExpiredByCoreClock", func(t *testing.T, s narvik.SessionStore) {
		c := newClock()
		n := newCore(t, s, c)
		res := create(t, n, "user-1")
		c.Advance(length)
		if got, err := n.ValidateSession(ctx(t), res.Token); got != nil || err != nil {
			t.Fatalf("ValidateSession of an expired session = %+v, %v; want nil, nil", got, err)
		}
		mustBeGone(t, s, res.Session.ID, "ValidateSession deletes a session it finds expired")
	}},
	{"Invalidate", func(t *testing.T, s narvik.SessionStore) {
		n := newCore(t, s, newClock())
		res := create(t, n, "user-1")
		other := create(t, n, "user-1")
		if err := n.InvalidateSession(ctx(t), res.Session.ID); err != nil {
			t.Fatalf("InvalidateSession: %v", err)
		}
		if got, err := n.ValidateSession(ctx(t), res.Token); got != nil || err != nil {
			t.Fatalf("ValidateSession after InvalidateSession = %+v, %v; want nil, nil", got, err)
		}
		if got, err := n.ValidateSession(ctx(t), other.Token); got == nil || err != nil {
			t.Fatalf("ValidateSession of the user's other session = %v, %v; want it untouched", got, err)
		}
	}},
	{"UserSessions", func(t *testing.T, s narvik.SessionStore) {
		n := newCore(t, s, newClock())
		var tokens []string
		for range 3 {
			tokens = append(tokens, create(t, n, "user-1").Token)
		}
		keep := create(t, n, "user-2")
		list, err := n.FetchSessionsForUser(ctx(t), "user-1")
		if err != nil || len(list) != 3 {
			t.Fatalf("FetchSessionsForUser = %d sessions, %v; want 3", len(list), err)
		}
		for _, l := range list {
			if l.Data.IP != "192.0.2.7" {
				t.Fatalf("listed session data = %+v, want the data given at creation", l.Data)
			}
		}
		if err := n.DeleteSessionsForUser(ctx(t), "user-1"); err != nil {
			t.Fatalf("DeleteSessionsForUser: %v", err)
		}
		for _, tok := range tokens {
			if got, err := n.ValidateSession(ctx(t), tok); got != nil || err != nil {
				t.Fatalf("ValidateSession after DeleteSessionsForUser = %+v, %v; want nil, nil", got, err)
			}
		}
		if got, err := n.ValidateSession(ctx(t), keep.Token); got == nil || err != nil {
			t.Fatalf("another user's session after DeleteSessionsForUser = %v, %v; want it untouched", got, err)
		}
	}},
	{"ConcurrentValidate", func(t *testing.T, s narvik.SessionStore) {
		c := newClock()
		n := newCore(t, s, c)
		res := create(t, n, "user-1")
		c.Advance(length/2 + time.Hour) // every validation below extends
		want := c.Now().Add(length).Truncate(time.Millisecond)
		const callers = 1000
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := n.ValidateSession(ctx(t), res.Token)
				switch {
				case err != nil:
					errs <- err
				case got == nil:
					errs <- fmt.Errorf("a live session validated as nil")
				case !got.ExpiresAt.Equal(want):
					errs <- fmt.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("one of %d concurrent ValidateSession calls: %v", callers, err)
		}
		if r := fetch(t, s, res.Session.ID); !r.ExpiresAt.Equal(want) {
			t.Fatalf("after %d concurrent extensions the store says ExpiresAt = %v, want %v", callers, r.ExpiresAt, want)
		}
	}},
	{"InvalidateRacesExtension", func(t *testing.T, s narvik.SessionStore) {
		c := newClock()
		n := newCore(t, s, c)
		const rounds, validators = 20, 16
		for round := range rounds {
			c.Set(time.Now())
			res := create(t, n, "user-1")
			c.Advance(length/2 + time.Hour)
			var wg sync.WaitGroup
			errs := make(chan error, validators+1)
			for i := range validators + 1 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if i == validators/2 {
						errs <- n.InvalidateSession(ctx(t), res.Session.ID)
						return
					}
					_, err := n.ValidateSession(ctx(t), res.Token)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if got, err := n.ValidateSession(ctx(t), res.Token); got != nil || err != nil {
				t.Fatalf("round %d: after InvalidateSession raced %d extensions, ValidateSession = %+v, %v; want nil, nil: an extension brought the session back", round, validators, got, err)
			}
			mustBeGone(t, s, res.Session.ID, "InvalidateSession raced extensions; an expiry update must never recreate a deleted session")
		}
	}},
}
