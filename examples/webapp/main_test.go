package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/storeurl"
)

func TestOpenStore(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // where "bolt" puts its file on Linux
	t.Setenv("HOME", t.TempDir())
	ctx := context.Background()
	specs := []string{"memory", "bolt", "bolt:" + filepath.Join(t.TempDir(), "s.db"), "sqlite:" + filepath.Join(t.TempDir(), "s.sqlite")}
	if u := os.Getenv("NARVIK_POSTGRES_URL"); u != "" {
		specs = append(specs, u)
	}
	for _, spec := range specs {
		s, desc, closeStore, err := openStore(ctx, spec)
		if err != nil {
			t.Fatalf("%s: %v", spec, err)
		}
		rec := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "u", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.SaveSession(ctx, rec); err != nil {
			t.Fatalf("%s (%s): save: %v", spec, desc, err)
		}
		if err := s.DeleteSession(ctx, rec.ID); err != nil { // a server's table outlives the test
			t.Fatalf("%s (%s): delete: %v", spec, desc, err)
		}
		if err := closeStore(); err != nil {
			t.Fatalf("%s: close: %v", spec, err)
		}
	}
	if _, _, _, err := openStore(ctx, "nope://x"); !errors.Is(err, storeurl.ErrBadURL) || !strings.Contains(err.Error(), "-store") {
		t.Fatalf("unknown store: %v", err)
	}
}

// TestServeAndShutDown builds the binary, signs in over HTTP, stops it with
// SIGINT and checks that it exits cleanly, released the bbolt file, and
// that the session survives a restart on the same file.
func TestServeAndShutDown(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "webapp")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the binary: %v", err)
	}
	build := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "sessions.db")

	var resp *http.Response
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}

	// First run: sign in.
	base, stop := start(t, bin, "-addr", "127.0.0.1:0", "-store", "bolt:"+db)
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"username": {"alice"}, "password": {"wonderland"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Signed in as <strong>alice</strong>") {
		t.Fatalf("sign in: %d %.300q", resp.StatusCode, body)
	}
	out := stop()
	if !strings.Contains(out, "shutting down") || !strings.Contains(out, "sign in as alice / wonderland") {
		t.Fatalf("output:\n%s", out)
	}

	// The file lock is released: bbolt opens it at once.
	s, err := boltstore.Open(db, boltstore.WithTimeout(100*time.Millisecond))
	if err != nil {
		t.Fatalf("bbolt file still locked after shutdown: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Second run on the same file (new port, so move the cookie over).
	old, _ := url.Parse(base)
	base2, stop2 := start(t, bin, "-addr", "127.0.0.1:0", "-store", "bolt:"+db)
	defer stop2()
	now, _ := url.Parse(base2)
	jar.SetCookies(now, jar.Cookies(old))
	resp, err = client.Get(base2 + "/sessions")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Signed in as <strong>alice</strong>") {
		t.Fatalf("after restart: %d %.300q", resp.StatusCode, body)
	}
}

var urlLine = regexp.MustCompile(`narvik demo: (http://\S+)`)

// start runs the binary and waits (bounded) for the URL it prints. stop
// sends SIGINT, waits for a clean exit and returns everything printed.
func start(t *testing.T, bin string, args ...string) (base string, stop func() string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if m := urlLine.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); pw.Close() }()
	select {
	case base = <-found:
	case err := <-exited:
		<-copied
		t.Fatalf("webapp exited before serving: %v\n%s", err, all.String())
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("webapp printed no URL within 30s")
	}
	stopped := false
	stop = func() string {
		if stopped {
			return ""
		}
		stopped = true
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			<-copied
			if err != nil {
				t.Fatalf("webapp exit after SIGINT: %v\n%s", err, all.String())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Fatal("webapp did not stop within 15s of SIGINT")
		}
		return all.String()
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

func TestMain(m *testing.M) {
	// The binary must not read a store from the developer's environment.
	os.Unsetenv("NARVIK_STORE")
	os.Exit(m.Run())
}
