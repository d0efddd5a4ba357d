package main

import (
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

func TestProgressLine(t *testing.T) {
	p := newProgress(nil, true, 72)
	st := narvik.MigrateStats{Read: 460, Copied: 450, Elapsed: 3 * time.Second}
	if got := p.line(st); !strings.Contains(got, "450 sessions") || !strings.Contains(got, "150/s") || !strings.Contains(got, "counting") {
		t.Fatalf("before the total is known: %q", got)
	}
	p.setTotal(1000)
	got := p.line(st)
	if want := "  45%  450/1000  150/s  ETA 4s"; !strings.HasSuffix(got, want) || !strings.HasPrefix(got, "[") {
		t.Fatalf("line %q, want a bar ending in %q (550 left at 150/s: 3.7 s, shown as 4s)", got, want)
	}
	if len(got) > 72 {
		t.Fatalf("line %q is wider than the terminal's 72 columns", got)
	}
	if got := newProgress(nil, true, 20).line(st); len(got) > 20 {
		t.Fatalf("on a 20-column terminal: %q", got)
	}
	for _, c := range []struct {
		left int64
		rate float64
		want string
	}{{0, 10, "0s"}, {1, 1000, "1s"}, {100, 0, "?"}, {6000, 100, "1m0s"}} {
		if got := eta(c.left, c.rate); got != c.want {
			t.Errorf("eta(%d, %v) = %s, want %s", c.left, c.rate, got, c.want)
		}
	}
}
