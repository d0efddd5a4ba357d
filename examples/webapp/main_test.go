package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/internal/testkit"
)

// TestServeAndShutDown builds the binary, signs in over HTTP, stops it with
// SIGINT and checks that it exits cleanly, released the bbolt file, and
// that the session survives a restart on the same file.
func TestServeAndShutDown(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "sessions.db")

	var resp *http.Response
	var err error
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
	// A second run on the same file is told which process holds it, and
	// what to do.
	out, err := runToExit(t, bin, nil, "-addr", "127.0.0.1:0", "-store", "bolt:"+db)
	holder := "(" + bin + " -addr 127.0.0.1:0 -store bolt:" + db + ")"
	if err == nil || !strings.Contains(out, "database file is locked") || !strings.Contains(out, "-store bolt:OTHERPATH") ||
		(runtime.GOOS == "linux" && (!strings.Contains(out, "is in use by pid ") || !strings.Contains(out, holder))) {
		t.Fatalf("second run on a locked file: %v\n%s", err, out)
	}

	out = stop()
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

var metricsLine = regexp.MustCompile(`metrics: (http://\S+/metrics)`)

// TestMetricsListener runs the binary with -metrics-addr: the metrics come
// on their own port, count a sign-in, and the app's port has no /metrics.
// Without the flag there is no metrics listener.
func TestMetricsListener(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	bin := buildBinary(t)
	base, stop, output := startOutput(t, bin, "-addr", "127.0.0.1:0", "-store", "memory", "-metrics-addr", "127.0.0.1:0")
	var metricsURL string
	if !testkit.WaitFor(10*time.Second, func() bool {
		m := metricsLine.FindStringSubmatch(output())
		if m != nil {
			metricsURL = m[1]
		}
		return m != nil
	}) {
		t.Fatalf("no metrics URL printed:\n%s", output())
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	req, _ := http.NewRequest("POST", base+"/signin", strings.NewReader(url.Values{"username": {"alice"}, "password": {"wonderland"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	code, page := get(metricsURL)
	if code != 200 || !regexp.MustCompile(`(?m)^narvik_session_created_total(\{[^}]*\})? 1$`).MatchString(page) {
		t.Fatalf("GET %s: %d, want narvik_session_created_total 1 in:\n%.2000s", metricsURL, code, page)
	}
	if code, _ := get(base + "/metrics"); code != 404 {
		t.Errorf("the app's port answers /metrics with %d", code)
	}
	stop()

	_, _, output = startOutput(t, bin, "-addr", "127.0.0.1:0", "-store", "memory")
	if strings.Contains(output(), "metrics:") {
		t.Errorf("a metrics listener without -metrics-addr:\n%s", output())
	}
}

// TestFlags runs the binary with the flags that decide the demo accounts,
// and without a home to keep its file in.
func TestFlags(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	bin := buildBinary(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-secure"}, "demo accounts: off (-demo-users turns them on)"},
		{[]string{"-secure", "-demo-users"}, "sign in as alice / wonderland"},
		{[]string{"-trusted-proxy", "10.0.0.0/8, 192.168.1.5"}, "demo accounts: off"},
		{[]string{"-demo-users=false"}, "demo accounts: off"},
		{nil, "sign in as alice / wonderland"},
	} {
		_, stop := start(t, bin, append([]string{"-addr", "127.0.0.1:0", "-store", "memory"}, c.args...)...)
		if out := stop(); !strings.Contains(out, c.want) {
			t.Errorf("%v: output lacks %q:\n%s", c.args, c.want, out)
		}
	}
	out, err := runToExit(t, bin, nil, "-store", "memory", "-trusted-proxy", "10.0.0.0/33")
	if err == nil || !strings.Contains(out, `-trusted-proxy "10.0.0.0/33": want an address or a CIDR`) {
		t.Errorf("a bad -trusted-proxy: %v\n%s", err, out)
	}
	out, err = runToExit(t, bin, []string{"HOME=", "XDG_CACHE_HOME="}, "-addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(out, "set XDG_CACHE_HOME or HOME, or pick the file with -store bolt:PATH") {
		t.Errorf("no home: %v\n%s", err, out)
	}
}

// runToExit runs the binary with env added to the test's environment
// ("NAME=" unsets NAME) and returns what it printed once it exited, which
// it must do within 15 s.
func runToExit(t *testing.T, bin string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(env, func(e string) bool { return strings.HasPrefix(e, name+"=") }) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for _, kv := range env {
		if !strings.HasSuffix(kv, "=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%v did not exit within 15 s:\n%s", args, out)
	}
	return string(out), err
}

// The binary, built once for the tests that run it.
var (
	binDir   string // made by TestMain
	binOnce  sync.Once
	binPath  string
	binBuild string // go build's output when it failed
)

// buildBinary builds the webapp once and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			binBuild = "the go command is needed to build the binary: " + err.Error()
			return
		}
		bin := filepath.Join(binDir, "webapp")
		if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
			binBuild = "go build: " + err.Error() + "\n" + string(out)
			return
		}
		binPath = bin
	})
	if binPath == "" {
		t.Fatal(binBuild)
	}
	return binPath
}

var urlLine = regexp.MustCompile(`narvik demo: (http://\S+)`)

// start runs the binary and waits (bounded) for the URL it prints. stop
// sends SIGINT, waits for a clean exit and returns everything printed.
func start(t *testing.T, bin string, args ...string) (base string, stop func() string) {
	t.Helper()
	base, stop, _ = startOutput(t, bin, args...)
	return base, stop
}

// startOutput is start, and output returns what the binary printed so far.
func startOutput(t *testing.T, bin string, args ...string) (base string, stop func() string, output func() string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var all strings.Builder
	output = func() string {
		mu.Lock()
		defer mu.Unlock()
		return all.String()
	}
	found := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			all.WriteString(sc.Text() + "\n")
			mu.Unlock()
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
		t.Fatalf("webapp exited before serving: %v\n%s", err, output())
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
				t.Fatalf("webapp exit after SIGINT: %v\n%s", err, output())
			}
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			t.Fatal("webapp did not stop within 15s of SIGINT")
		}
		return output()
	}
	t.Cleanup(func() { stop() })
	return base, stop, output
}

func TestMain(m *testing.M) {
	// The binary must not read a store from the developer's environment.
	os.Unsetenv("NARVIK_STORE")
	var err error
	if binDir, err = os.MkdirTemp("", "webapp-test"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(binDir)
	os.Exit(code)
}
