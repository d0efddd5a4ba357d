package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
	"github.com/narvik-go/narvik/storeurl"
	"github.com/narvik-go/narvik/storeurl/storeurltest"
)

func TestMigrate(t *testing.T) {
	type pair struct{ from, to storeurl.Kind }
	pairs := []pair{ // off the embedded default, and back from every other source
		{storeurl.Bolt, storeurl.Redis}, {storeurl.Bolt, storeurl.RedisCluster}, {storeurl.Bolt, storeurl.DynamoDB},
		{storeurl.Bolt, storeurl.Postgres}, {storeurl.Bolt, storeurl.MySQL}, {storeurl.Bolt, storeurl.MongoDB},
		{storeurl.SQLite, storeurl.Bolt}, {storeurl.Postgres, storeurl.Bolt}, {storeurl.MongoDB, storeurl.Bolt},
		{storeurl.DynamoDB, storeurl.Bolt},
	}
	for _, p := range pairs {
		t.Run(string(p.from)+"_to_"+string(p.to), func(t *testing.T) {
			from := storeurltest.URL(t, p.from)
			live := issue(t, from, time.Hour, users(300)...)
			expired := issue(t, from, -time.Minute, users(30)...)
			to := storeurltest.URL(t, p.to)
			expect(t, run(t, nil, "ensure-schema", "-store", to), exitOK, nil, nil)

			expect(t, run(t, nil, "migrate", "-from", from, "-to", to, "-dry-run"), exitOK,
				out("dry run: 300 live sessions", "300 would be copied, 0 already in", "nothing was written"), nil)
			if n := valid(t, to, live); n != 0 {
				t.Fatalf("a dry run wrote %d sessions", n)
			}

			r := run(t, nil, "migrate", "-from", from, "-to", to, "-workers", "3")
			expect(t, r, exitOK, out("300 copied, 0 already there, 0 expired on the way, 0 signed out during the copy", "sessions/s"),
				out("narvik migrate: migrating from "))
			if strings.Contains(r.stderr, "\r") {
				t.Fatalf("plain output holds a carriage return, as a terminal's bar would:\n%s", r)
			}
			if n := valid(t, to, live); n != 300 {
				t.Fatalf("%d of 300 tokens validate through the new store", n)
			}
			if n := valid(t, to, expired); n != 0 {
				t.Fatalf("%d expired sessions were copied", n)
			}
			expect(t, run(t, nil, "migrate", "-from", from, "-to", to), exitOK, out("0 copied, 300 already there"), nil)
		})
	}
}

func users(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "user-" + string(rune('a'+i%26))
	}
	return out
}

// stopAt runs migrate from to with one writer and sends it sig once the
// target holds session mark, and returns how the run ended and what it
// wrote on stderr.
func stopAt(t *testing.T, from, to, mark string, sig syscall.Signal) (*exec.ExitError, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "migrate", "-from", from, "-to", to, "-workers", "1")
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	target := openURL(t, to)
	reached := testkit.WaitFor(time.Minute, func() bool {
		_, err := target.Store.FetchSession(ctx, mark)
		return err == nil
	})
	cmd.Process.Signal(sig)
	err := cmd.Wait()
	target.Close()
	if !reached {
		t.Fatal("the migration did not reach the mark within a minute")
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the migration ended by itself before %v (%v): make it slower", sig, err)
	}
	return exit, stderr.String()
}

func TestMigrateInterruptedKilledAndRerun(t *testing.T) {
	from := storeurltest.URL(t, storeurl.Bolt)
	to := storeurltest.URL(t, storeurl.Redis)
	const n = 3000
	sessions := issue(t, from, time.Hour, users(n)...)
	// bbolt walks in ID order: once the session a fifth (then half) of the
	// way is in the target, the run is part way.
	slices.SortFunc(sessions, func(a, b issued) int { return strings.Compare(a.id, b.id) })

	// Ctrl-C: the run stops cleanly, says so, and exits 1.
	exit, stderr := stopAt(t, from, to, sessions[n/5].id, syscall.SIGINT)
	if exit.ExitCode() != exitFailed || !strings.Contains(stderr, "interrupted after") || !strings.Contains(stderr, "run the same command again") {
		t.Fatalf("after Ctrl-C: exit %d, stderr:\n%s", exit.ExitCode(), stderr)
	}
	interrupted := valid(t, to, sessions)

	// SIGKILL: nothing to say, the process is gone.
	exit, _ = stopAt(t, from, to, sessions[n/2].id, syscall.SIGKILL)
	if exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the second run was not killed: %v", exit)
	}
	killed := valid(t, to, sessions)
	if interrupted == 0 || killed <= interrupted || killed == n {
		t.Fatalf("after the stops %d then %d of %d sessions are in the target, want part of them, growing", interrupted, killed, n)
	}

	r := run(t, nil, "migrate", "-from", from, "-to", to)
	expect(t, r, exitOK, out(" already there"), nil)
	m := regexp.MustCompile(`(\d+) copied, (\d+) already there`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Fatalf("the rerun should copy the rest and find the first part there:\n%s", r)
	}
	if got := valid(t, to, sessions); got != n {
		t.Fatalf("after the rerun %d of %d tokens validate", got, n)
	}
}

func TestMigrateProgressBarOnATerminal(t *testing.T) {
	from := storeurltest.URL(t, storeurl.Bolt)
	to := storeurltest.URL(t, storeurl.Redis)
	issue(t, from, time.Hour, users(1500)...)

	ptmx, tty, err := pty.Open()
	if err != nil {
		testenv.Missing(t, "no pseudo-terminal on this machine: "+err.Error())
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "migrate", "-from", from, "-to", to, "-workers", "1")
	cmd.Env = cleanEnv()
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		io.Copy(&screen, ptmx) // ends with EIO once the child is gone
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, screen.String())
	}
	<-done

	bar := regexp.MustCompile(`\r\x1b\[K\[#*\.*\]\s+\d+%\s+\d+/1500\s+\d+/s\s+ETA \S+`)
	t.Logf("the terminal showed:\n%s", strings.ReplaceAll(screen.String(), "\r\x1b[K", "\n"))
	if !bar.Match(screen.Bytes()) {
		t.Fatalf("no progress bar with percentage, count, rate and ETA on the terminal:\n%q", screen.String())
	}
	lines := strings.Split(strings.TrimRight(screen.String(), "\r\n"), "\r\x1b[K")
	for _, l := range lines {
		if len(strings.TrimRight(l, "\r\n")) > 100 {
			t.Fatalf("a bar line is wider than the terminal's 100 columns: %q", l)
		}
	}
	if !strings.Contains(stdout.String(), "1500 copied") {
		t.Fatalf("the summary is missing from standard output: %q", stdout.String())
	}
}
