package migrate_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/dualstore"
	"github.com/narvik-go/narvik/storeurl"
)

// TestDualStoreUnderTraffic switches an application to a dual store while
// it serves validations, sign-ins and sign-outs from many goroutines, with
// the dual store's Migrate running beside them: every session issued
// before the switch keeps working, none signed out comes back, and at the
// end the new store alone serves everything.
func TestDualStoreUnderTraffic(t *testing.T) {
	for _, pair := range []struct{ old, new storeurl.Kind }{
		{storeurl.Memory, storeurl.Memory},
		{storeurl.Bolt, storeurl.Redis},
	} {
		t.Run(string(pair.old)+"_to_"+string(pair.new), func(t *testing.T) {
			dualUnderTraffic(t, newStore(t, pair.old), newStore(t, pair.new))
		})
	}
}

// signedOut collects the sessions whose sign-out has returned.
type signedOut struct {
	mu sync.Mutex
	s  []issued
}

func (o *signedOut) add(s ...issued) {
	o.mu.Lock()
	o.s = append(o.s, s...)
	o.mu.Unlock()
}

func (o *signedOut) pick(r *rand.Rand) (issued, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.s) == 0 {
		return issued{}, false
	}
	return o.s[r.IntN(len(o.s))], true
}

func (o *signedOut) all() []issued {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]issued(nil), o.s...)
}

func dualUnderTraffic(t *testing.T, old, new narvik.SessionStore) {
	const users = 40
	// Before the switch: sessions 20 days into their 30, so that validating
	// them extends them, an expiry update of sessions still only in the old
	// store.
	before := issue(t, old, 800, users, 20*24*time.Hour)
	// Users 0-7 are signed out everywhere, every other session of users
	// 8-15 is signed out alone, the rest stay signed in.
	var kept, doomed []issued
	doomedUsers := map[string][]issued{}
	for i, s := range before {
		switch u := i % users; {
		case u < 8:
			doomedUsers[s.user] = append(doomedUsers[s.user], s)
		case u < 16 && (i/users)%2 == 0:
			doomed = append(doomed, s)
		default:
			kept = append(kept, s)
		}
	}

	dual, err := dualstore.New(old, new)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := narvik.New[device](dual)
	if err != nil {
		t.Fatal(err)
	}
	validate := func(s issued) *narvik.Session[device] {
		got, err := auth.ValidateSession(bg, s.token)
		if err != nil {
			t.Errorf("validate: %v", err)
			return nil
		}
		return got
	}

	var (
		wg      sync.WaitGroup
		out     signedOut
		created signedOut // sessions made after the switch and still signed in
		st      narvik.MigrateStats
		migErr  error
	)
	wg.Go(func() { st, migErr = dual.Migrate(bg, narvik.WithMigrateWorkers(4)) })
	wg.Go(func() { // sign out one session at a time
		for _, s := range doomed {
			if err := auth.InvalidateSession(bg, s.id); err != nil {
				t.Errorf("sign out: %v", err)
				return
			}
			out.add(s)
			if validate(s) != nil {
				t.Errorf("a session validates right after its sign-out returned")
			}
		}
	})
	wg.Go(func() { // sign users out everywhere
		for user, ss := range doomedUsers {
			if err := auth.DeleteSessionsForUser(bg, user); err != nil {
				t.Errorf("sign out everywhere: %v", err)
				return
			}
			out.add(ss...)
			for _, s := range ss {
				if validate(s) != nil {
					t.Errorf("a session of %s validates right after the user was signed out everywhere", user)
				}
			}
		}
	})
	for w := range 2 { // sign-ins after the switch
		wg.Go(func() {
			for i := range 150 {
				user := fmt.Sprintf("new-%d-%d", w, i%10)
				res, err := auth.CreateSession(bg, user, device{IP: "192.0.2.1"})
				if err != nil {
					t.Errorf("sign in: %v", err)
					return
				}
				s := issued{token: res.Token, id: res.Session.ID, user: user}
				if validate(s) == nil {
					t.Errorf("a new session does not validate")
				}
				if i%3 == 0 {
					if err := auth.InvalidateSession(bg, s.id); err != nil {
						t.Errorf("sign out: %v", err)
					}
					out.add(s)
				} else {
					created.add(s)
				}
			}
		})
	}
	for w := range 8 { // validations of everything issued before the switch
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for range 3 * len(kept) / 8 {
				if s := kept[r.IntN(len(kept))]; validate(s) == nil {
					t.Errorf("a session issued before the switch and never signed out does not validate")
					return
				}
				if s, ok := out.pick(r); ok && validate(s) != nil {
					t.Errorf("a signed-out session of %s validates again", s.user)
					return
				}
			}
		})
	}
	wg.Wait()
	if migErr != nil {
		t.Fatalf("Migrate beside the traffic: %v", migErr)
	}
	if st.Read == 0 || st.Done() != st.Read {
		t.Fatalf("Migrate stats %+v", st)
	}

	// The switch is over: the new store alone serves every session.
	if got := validating(t, new, kept); got != len(kept) {
		t.Fatalf("%d of %d sessions issued before the switch validate on the new store alone", got, len(kept))
	}
	if got := validating(t, new, created.all()); got != len(created.all()) {
		t.Fatalf("%d of %d sessions created through the dual store validate on the new store alone", got, len(created.all()))
	}
	gone := out.all()
	if want := len(before) - len(kept) + 2*50; len(gone) != want {
		t.Fatalf("%d sign-outs recorded, want %d", len(gone), want)
	}
	for name, s := range map[string]narvik.SessionStore{"new": new, "old": old, "dual": dual} {
		for _, g := range gone {
			if _, err := s.FetchSession(bg, g.id); !errors.Is(err, narvik.ErrSessionNotFound) {
				t.Fatalf("a signed-out session of %s is in the %s store (%v)", g.user, name, err)
			}
		}
	}
	for _, c := range created.all() {
		if _, err := old.FetchSession(bg, c.id); !errors.Is(err, narvik.ErrSessionNotFound) {
			t.Fatal("a session created after the switch was written to the old store")
		}
	}
	t.Logf("%d sessions before the switch (%d kept), %d signed out, %d created; Migrate %+v", len(before), len(kept), len(gone), len(created.all()), st)
}
