package app

import (
	"container/list"
	"fmt"
	"math"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: Burst attempts at once, then one more every
// Every.
type Rate struct {
	Burst int
	Every time.Duration
}

func (r Rate) limiter() *rate.Limiter { return rate.NewLimiter(rate.Every(r.Every), r.Burst) }

func (r Rate) valid() bool { return r.Burst > 0 && r.Every > 0 }

// Limits bounds what sign-in and sign-up can cost. Each password check runs
// PBKDF2 (DefaultPasswordIterations, about 0.3 s of one core), so without
// them a few clients could keep every core busy and lock everyone else out.
// A zero field takes its default, from DefaultLimits.
type Limits struct {
	// SignInPerAddress limits sign-in attempts per client address (an
	// IPv6 client by its /64, which one host usually has whole).
	SignInPerAddress Rate
	// SignUpPerAddress limits sign-up attempts per client address, a taken
	// username included (it tells that the account exists).
	SignUpPerAddress Rate
	// WrongPasswordsPerAccount limits wrong passwords per account, whatever
	// the address: this is what stops a guesser with many addresses. A
	// right password resets it.
	WrongPasswordsPerAccount Rate
	// Addresses is how many client addresses the limits remember; past it
	// the least recently seen is forgotten, so memory stays bounded.
	Addresses int
	// HashSlots is how many password checks run at once. One more slot is
	// kept for clients that made no attempt recently, so that a flood from
	// busy addresses cannot keep a newcomer out. An attempt that finds no
	// free slot is answered 503 at once, never queued. The default leaves
	// one core to everything else while busy clients hash.
	HashSlots int
	// MaxUsers caps the accounts sign-up can create (they live in memory).
	MaxUsers int
}

// DefaultLimits returns the limits New uses for zero fields: 10 sign-in
// attempts per address at once, then one every 6 s; 5 sign-ups per address,
// then one every 2 minutes; 10 wrong passwords per account, then one a
// minute (1,440 a day at most); 10,000 addresses remembered; GOMAXPROCS-1
// concurrent password checks (at least 1), plus one for newcomers; 10,000
// accounts.
func DefaultLimits() Limits {
	return Limits{
		SignInPerAddress:         Rate{Burst: 10, Every: 6 * time.Second},
		SignUpPerAddress:         Rate{Burst: 5, Every: 2 * time.Minute},
		WrongPasswordsPerAccount: Rate{Burst: 10, Every: time.Minute},
		Addresses:                10_000,
		HashSlots:                max(1, runtime.GOMAXPROCS(0)-1),
		MaxUsers:                 10_000,
	}
}

// withDefaults fills zero fields from DefaultLimits and refuses negative or
// half-set ones.
func (l Limits) withDefaults() (Limits, error) {
	d := DefaultLimits()
	for _, r := range []struct {
		name     string
		set, def *Rate
	}{
		{"SignInPerAddress", &l.SignInPerAddress, &d.SignInPerAddress},
		{"SignUpPerAddress", &l.SignUpPerAddress, &d.SignUpPerAddress},
		{"WrongPasswordsPerAccount", &l.WrongPasswordsPerAccount, &d.WrongPasswordsPerAccount},
	} {
		switch {
		case *r.set == Rate{}:
			*r.set = *r.def
		case !r.set.valid():
			return l, fmt.Errorf("app: Limits.%s %+v: Burst and Every must both be positive", r.name, *r.set)
		}
	}
	for _, n := range []struct {
		name     string
		set, def *int
	}{{"Addresses", &l.Addresses, &d.Addresses}, {"HashSlots", &l.HashSlots, &d.HashSlots}, {"MaxUsers", &l.MaxUsers, &d.MaxUsers}} {
		switch {
		case *n.set == 0:
			*n.set = *n.def
		case *n.set < 0:
			return l, fmt.Errorf("app: Limits.%s %d: must be positive", n.name, *n.set)
		}
	}
	return l, nil
}

// retryAfter is how long until lim allows one more attempt, in whole
// seconds (at least 1), for a Retry-After header.
func retryAfter(lim *rate.Limiter, now time.Time) int {
	missing := 1 - lim.TokensAt(now)
	if missing <= 0 {
		return 1
	}
	return max(1, int(math.Ceil(missing/float64(lim.Limit()))))
}

// addressLimits are one client address's buckets.
type addressLimits struct {
	signIn, signUp *rate.Limiter
}

// fresh reports whether lim is full at now: its address made no attempt
// recently.
func fresh(lim *rate.Limiter, now time.Time) bool {
	return lim.TokensAt(now) >= float64(lim.Burst())
}

// addressKey is what the limits count an address as: itself, or its /64
// for IPv6.
func addressKey(a netip.Addr) netip.Addr {
	a = a.Unmap()
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().Addr()
	}
	return a
}

// lru maps keys to values and keeps at most max of them, forgetting the
// least recently used to make room. It runs no goroutine: eviction happens
// on insertion.
type lru[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *lruItem, most recently used at the front
	items map[K]*list.Element
}

type lruItem[K comparable, V any] struct {
	key K
	val V
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, order: list.New(), items: make(map[K]*list.Element)}
}

// get returns key's value, creating it with create when absent.
func (c *lru[K, V]) get(key K, create func() V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruItem[K, V]).val
	}
	if c.order.Len() >= c.max {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(*lruItem[K, V]).key)
	}
	v := create()
	c.items[key] = c.order.PushFront(&lruItem[K, V]{key, v})
	return v
}

func (c *lru[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// hashSlots caps concurrent password checks: a semaphore that is tried,
// never waited on, so an attempt beyond the cap costs nothing but a 503.
type hashSlots struct {
	shared chan struct{}
	fresh  chan struct{} // one more, only for clients with no recent attempt
	// For tests and numbers: checks run, and the most at once.
	run, busy, peak atomic.Int64
}

func newHashSlots(n int) *hashSlots {
	return &hashSlots{shared: make(chan struct{}, n), fresh: make(chan struct{}, 1)}
}

// acquire takes a slot, the fresh client's one too when isFresh, and
// returns the function that gives it back; false when all are taken.
func (h *hashSlots) acquire(isFresh bool) (release func(), ok bool) {
	var slot chan struct{}
	select {
	case h.shared <- struct{}{}:
		slot = h.shared
	default:
		if !isFresh {
			return nil, false
		}
		select {
		case h.fresh <- struct{}{}:
			slot = h.fresh
		default:
			return nil, false
		}
	}
	h.run.Add(1)
	n := h.busy.Add(1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	return func() {
		h.busy.Add(-1)
		<-slot
	}, true
}
