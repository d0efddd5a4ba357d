package app

import (
	"net/netip"
	"testing"
	"time"
)

func TestLRUForgetsTheLeastRecentlyUsed(t *testing.T) {
	c := newLRU[string, int](3)
	made := 0
	get := func(k string) int {
		return c.get(k, func() int { made++; return made })
	}
	a, b := get("a"), get("b")
	get("c")
	if get("a") != a { // a is now the most recent; b the least
		t.Fatal("a was made again")
	}
	get("d") // evicts b
	if c.len() != 3 {
		t.Fatalf("len %d, want 3", c.len())
	}
	if get("b") == b {
		t.Fatal("b was not forgotten")
	}
	if get("a") != a {
		t.Fatal("a was forgotten though it was used since")
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":         "198.51.100.7",
		"::ffff:198.51.100.7":  "198.51.100.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::",
		"2001:db8:1:3::1":      "2001:db8:1:3::",
	} {
		if got := addressKey(netip.MustParseAddr(in)); got.String() != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestHashSlots(t *testing.T) {
	h := newHashSlots(1)
	release, ok := h.acquire(false)
	if !ok {
		t.Fatal("the first slot")
	}
	if _, ok := h.acquire(false); ok {
		t.Fatal("a busy client got a second slot")
	}
	releaseFresh, ok := h.acquire(true)
	if !ok {
		t.Fatal("a newcomer did not get the kept slot")
	}
	if _, ok := h.acquire(true); ok {
		t.Fatal("a second newcomer got a slot beyond the cap")
	}
	release()
	releaseFresh()
	if _, ok := h.acquire(false); !ok || h.run.Load() != 3 || h.peak.Load() != 2 {
		t.Fatalf("after release: run %d, peak %d", h.run.Load(), h.peak.Load())
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Now()
	lim := Rate{Burst: 2, Every: 90 * time.Second}.limiter()
	if got := retryAfter(lim, now); got != 1 {
		t.Errorf("with tokens left: %d", got)
	}
	lim.AllowN(now, 2)
	if got := retryAfter(lim, now); got != 90 {
		t.Errorf("empty: %d, want 90", got)
	}
	if got := retryAfter(lim, now.Add(89500*time.Millisecond)); got != 1 {
		t.Errorf("half a second before a token: %d, want 1", got)
	}
}
