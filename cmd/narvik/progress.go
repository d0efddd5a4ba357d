package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/narvik-go/narvik"
)

// progress shows how a migration goes: a bar redrawn in place on a
// terminal, a plain line now and then otherwise (logs, pipes, CI).
type progress struct {
	w        io.Writer
	terminal bool
	width    int

	mu    sync.Mutex
	total int64 // -1 until counted
	drawn bool  // a bar is on the screen
}

func newProgress(w io.Writer, terminal bool, width int) *progress {
	if width <= 0 {
		width = 80
	}
	return &progress{w: w, terminal: terminal, width: width, total: -1}
}

// every is how often the progress is reported: a bar moves smoothly, plain
// lines do not flood a log.
func (p *progress) every() time.Duration {
	if p.terminal {
		return 200 * time.Millisecond
	}
	return 5 * time.Second
}

func (p *progress) setTotal(n int64) {
	p.mu.Lock()
	p.total = n
	p.mu.Unlock()
}

// update is the callback of narvik.WithMigrateProgress.
func (p *progress) update(st narvik.MigrateStats) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.terminal {
		fmt.Fprintf(p.w, "narvik migrate: %d done (%d copied, %d already there, %d expired, %d signed out), %.0f/s\n",
			st.Done(), st.Copied, st.Existing, st.Expired, st.Revoked, st.Rate())
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+p.line(st))
	p.drawn = true
}

// line is the bar for st, fitted to the terminal's width:
//
//	[#########...........]  45%  45000/100000  12345/s  ETA 4s
func (p *progress) line(st narvik.MigrateStats) string {
	done := st.Done()
	rate := fmt.Sprintf("%.0f/s", st.Rate())
	if p.total < 0 {
		return fit(fmt.Sprintf("migrating: %d sessions  %s  (counting the source for the ETA)", done, rate), p.width)
	}
	total := max(p.total, done, st.Read)
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	tail := fmt.Sprintf(" %3.0f%%  %d/%d  %s  ETA %s", frac*100, done, total, rate, eta(total-done, st.Rate()))
	barWidth := min(40, p.width-len(tail)-3)
	if barWidth < 10 {
		return fit(tail[1:], p.width)
	}
	filled := int(frac * float64(barWidth))
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]" + tail
}

// eta is the time left for left sessions at rate, in whole seconds rounded
// up, so that a bar short of its end never promises 0s.
func eta(left int64, rate float64) string {
	if left <= 0 {
		return "0s"
	}
	if rate <= 0 {
		return "?"
	}
	return (time.Duration(math.Ceil(float64(left)/rate)) * time.Second).String()
}

// fit cuts s to width columns, so a redrawn line never wraps.
func fit(s string, width int) string {
	if len(s) >= width {
		return s[:max(width-1, 0)]
	}
	return s
}

// finish ends the bar's line, so what follows starts on a fresh one.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
