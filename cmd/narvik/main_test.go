package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/storeurl"
)

// binary is the narvik command built once for every test: the tests run
// it as users and scripts do.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "narvik-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "narvik")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is how a run of the binary ended.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs the binary with args, in an environment without NARVIK_STORE
// unless env sets it.
func run(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run narvik %v: %v", args, err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NARVIK_STORE=") {
			env = append(env, kv)
		}
	}
	return env
}

// expect fails the test unless r ended with code and its stdout and
// stderr contain the given strings.
func expect(t *testing.T, r result, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("stdout lacks %q: %s", s, r)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Fatalf("stderr lacks %q: %s", s, r)
		}
	}
}

func out(s ...string) []string { return s }

type device struct {
	IP string `json:"ip"`
}

// issued is a session created through narvik, with its token.
type issued struct {
	token, id, user string
}

// issue creates sessions for users in the store at url (expired ones when
// ttl is negative, by a clock set back) and closes the store.
func issue(t *testing.T, url string, ttl time.Duration, users ...string) []issued {
	t.Helper()
	store, closeStore := fillable(t, url)
	defer closeStore()
	opts := []narvik.Option{narvik.WithSessionExpiresIn(max(ttl, time.Hour))}
	if ttl < 0 {
		opts = append(opts, narvik.WithClock(func() time.Time { return time.Now().Add(ttl - time.Hour) }))
	}
	n, err := narvik.New[device](store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var out []issued
	for i, u := range users {
		res, err := n.CreateSession(context.Background(), u, device{IP: fmt.Sprintf("203.0.113.%d", i%250)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, issued{token: res.Token, id: res.Session.ID, user: u})
	}
	return out
}

// fillable opens the store at url for filling: a bbolt file without
// fsync, which makes thousands of sessions a matter of a second, not of a
// minute; any other store through storeurl.
func fillable(t *testing.T, url string) (narvik.SessionStore, func()) {
	t.Helper()
	path, ok := strings.CutPrefix(url, "bolt:")
	if !ok {
		o := openURL(t, url)
		return o.Store, func() { o.Close() }
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s, err := boltstore.New(db)
	if err == nil {
		err = s.EnsureSchema(context.Background())
	}
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return s, func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}
}

// openURL opens the store at url for the test itself, creating its schema.
func openURL(t *testing.T, url string) *storeurl.Opened {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	o, err := storeurl.Open(ctx, url, storeurl.Create())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.EnsureSchema(ctx); err != nil {
		o.Close()
		t.Fatal(err)
	}
	return o
}

// valid returns how many of the sessions validate in the store at url.
func valid(t *testing.T, url string, sessions []issued) int {
	t.Helper()
	o := openURL(t, url)
	defer o.Close()
	n, err := narvik.New[device](o.Store)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, s := range sessions {
		got, err := n.ValidateSession(context.Background(), s.token)
		if err != nil {
			t.Fatal(err)
		}
		if got != nil {
			if got.UserID != s.user {
				t.Fatalf("token of %s validates as %s", s.user, got.UserID)
			}
			ok++
		}
	}
	return ok
}

func TestUsage(t *testing.T) {
	expect(t, run(t, nil), exitUsage, nil, out("Usage:", "narvik migrate -from URL -to URL"))
	expect(t, run(t, nil, "-h"), exitOK, out("Usage:", "Exit codes"), nil)
	expect(t, run(t, nil, "help"), exitOK, out("Usage:"), nil)
	expect(t, run(t, nil, "frobnicate"), exitUsage, nil, out(`unknown command "frobnicate"`))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "-h"}, "Usage: narvik migrate -from URL -to URL [-dry-run] [-workers N]"},
		{[]string{"sessions", "list", "-h"}, "Usage: narvik sessions list -user ID"},
		{[]string{"sessions", "revoke", "-h"}, "Usage: narvik sessions revoke -user ID | -id ID"},
		{[]string{"purge-expired", "-h"}, "Usage: narvik purge-expired"},
		{[]string{"ensure-schema", "-h"}, "Usage: narvik ensure-schema"},
		{[]string{"stats", "-h"}, "Usage: narvik stats"},
		{[]string{"help", "stats"}, "Usage: narvik stats"},
		{[]string{"sessions", "-h"}, "narvik sessions list -user ID"},
	} {
		expect(t, run(t, nil, c.args...), exitOK, out(c.want), nil)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "-to", "memory"}, "-from URL is required"},
		{[]string{"migrate", "-from", "memory"}, "-to URL is required"},
		{[]string{"migrate", "-from", "memory", "-to", "memory", "-workers", "0"}, "want at least 1"},
		{[]string{"migrate", "-from", "bolt:/tmp/a.db", "-to", "bolt:/tmp/a.db"}, "the same store"},
		{[]string{"migrate", "-from", "memory", "-to", "memory", "extra"}, `unexpected argument "extra"`},
		{[]string{"migrate", "-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"migrate", "-from", "redis://h:1/x", "-to", "memory"}, "-from: storeurl: bad store URL"},
		{[]string{"migrate", "-from", "memory", "-to", "mysqll://x"}, "unknown kind of store"},
		{[]string{"sessions"}, "narvik sessions list"},
		{[]string{"sessions", "show"}, `unknown command "sessions show"`},
		{[]string{"sessions", "list", "-store", "memory"}, "-user ID is required"},
		{[]string{"sessions", "revoke", "-store", "memory"}, "give -user ID or -id ID"},
		{[]string{"sessions", "revoke", "-store", "memory", "-id", "abc"}, "whole 64-character session ID"},
		{[]string{"sessions", "revoke", "-store", "memory", "-user", "u", "-id", "xyz"}, "is not a session ID"},
		{[]string{"stats"}, "no store: give -store URL or set NARVIK_STORE"},
		{[]string{"purge-expired", "-store", "bolt:"}, "want bolt:PATH"},
	} {
		expect(t, run(t, nil, c.args...), exitUsage, nil, out(c.want))
	}
}

func TestStoreFromTheEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.db")
	url := "bolt:" + path
	issue(t, url, time.Hour, "alice", "alice")
	env := []string{"NARVIK_STORE=" + url}
	expect(t, run(t, env, "sessions", "list", "-user", "alice"), exitOK, nil, out(`2 live sessions of user "alice"`))
	// -store before the command, and after it, win over the variable.
	other := "bolt:" + filepath.Join(t.TempDir(), "other.db")
	issue(t, other, time.Hour, "alice")
	expect(t, run(t, env, "-store", other, "sessions", "list", "-user", "alice"), exitOK, nil, out(`1 live session of user "alice"`))
	expect(t, run(t, env, "sessions", "list", "-user", "alice", "-store", other), exitOK, nil, out(`1 live session of user "alice"`))
}
