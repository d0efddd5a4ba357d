package narvik_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/narvik-go/narvik/internal/testenv"
)

// The tests below run scripts/install-deps.sh (and scripts/test.sh) on a
// PATH from which chosen programs are hidden: a folder of links to every
// program on the real PATH but those. This is the bare machine of issue 16
// without building one. Two things cannot be hidden this way: files the
// script finds by absolute path (PostgreSQL 15 in /usr/lib/postgresql/15/bin,
// the CA bundle) and the daemons in /usr/sbin (mariadbd), which the script
// adds to PATH because Debian keeps them there; those are checked only
// against what the machine really has.

// everyHiddenProgram names every program of every prerequisite, plus apt-get
// and sudo, so that no test can install anything even when the check is broken.
var everyHiddenProgram = []string{
	"go", "gofmt", "npm", "npx", "node", "make", "git", "curl",
	"gcc", "cc", "c89", "c99", "gcc-12", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-gcc-12", "clang",
	"java", "javac", "redis-server", "redis-cli", "redis-sentinel",
	"chromium", "chromium-browser", "google-chrome", "mariadb", "mariadb-install-db",
	"apt-get", "sudo",
}

// scriptEnv is the environment of a script run under a test: PATH replaced,
// and nothing that points the script at a tool some other way.
func scriptEnv(path string) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		// GOARCH and friends: make test-32bit runs this test as an arm
		// binary, and go env CGO_ENABLED says 0 when cross-compiling.
		case "PATH", "NARVIK_CHROMIUM", "CC", "CGO_ENABLED", "GOARCH", "GOOS", "GOARM", "GO386":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PATH="+path)
}

// bashPath returns the path of bash, or skips the test where the scripts
// are not meant to run.
func bashPath(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the scripts are for Debian")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	return bash
}

// hidingPath returns a folder that holds a link to every program on PATH
// except those named in hide, and the path of bash, found before hiding.
func hidingPath(t *testing.T, hide ...string) (dir, bash string) {
	t.Helper()
	bash = bashPath(t)
	hidden := map[string]bool{}
	for _, h := range hide {
		hidden[h] = true
	}
	dir = t.TempDir()
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if hidden[name] {
				continue
			}
			// The first program of a name on PATH wins, as for the shell.
			if err := os.Symlink(filepath.Join(d, name), filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrExist) {
				t.Fatal(err)
			}
		}
	}
	return dir, bash
}

// writeScripts writes each file of files (path relative to dir: content)
// as an executable.
func writeScripts(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for f, body := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs bash with args in the repository root on PATH path and returns
// its output (stdout and stderr) and exit code.
func run(t *testing.T, bash, path string, cred *syscall.Credential, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bash, args...)
	cmd.Env = scriptEnv(path)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("bash %v: %v\n%s", args, err, out.String())
		return "", 0
	}
}

// missingLines returns the "missing: NAME" lines of out, by NAME.
func missingLines(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "missing: "); ok {
			name, _, _ := strings.Cut(rest, " ")
			m[name] = line
		}
	}
	return m
}

// TestPrerequisiteCheckNamesEachMissingTool: on a PATH without any of the
// tools, `install-deps.sh --check` fails and names every missing
// prerequisite with the command that installs it, and `make test`
// (scripts/test.sh) stops there, before it starts any server.
func TestPrerequisiteCheckNamesEachMissingTool(t *testing.T) {
	path, bash := hidingPath(t, everyHiddenProgram...)
	out, code := run(t, bash, path, nil, "scripts/install-deps.sh", "--check")
	if code != 1 {
		t.Fatalf("install-deps.sh --check with every tool hidden: exit %d, want 1\n%s", code, out)
	}
	sudo := "sudo "
	if os.Geteuid() == 0 {
		sudo = ""
	}
	want := map[string]string{
		"go":             `go \(Go 1\.25 or newer: builds and runs every test\): install it from https://go\.dev/dl/`,
		"npm":            `npm \(.*DynamoDB Local.*\): install Node\.js .* from https://nodejs\.org/`,
		"make":           `make \(.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y make$`,
		"git":            `git \(.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y git$`,
		"curl":           `curl \(.*DynamoDB Local.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y curl$`,
		"gcc":            `gcc \(C compiler: cgo, which go test -race needs\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y gcc libc6-dev$`,
		"java":           `java \(Java 17: runs DynamoDB Local\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y openjdk-17-jdk-headless$`,
		"javac":          `javac \(Java 17 JDK: compiles DynamoDB Local's launcher.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y openjdk-17-jdk-headless$`,
		"redis-server":   `redis-server \(.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y redis-server$`,
		"redis-sentinel": `redis-sentinel \(.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y redis-sentinel$`,
		"chromium":       `chromium \(the headless browser test.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y chromium$`,
		"mariadbd":       `mariadbd \(.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y mariadb-server$`,
	}
	// Found by absolute path or in /usr/sbin: missing only if really missing.
	if _, err := os.Stat("/usr/lib/postgresql/15/bin/psql"); err != nil {
		want["postgres"] = `postgres \(PostgreSQL 15.*\): run scripts/install-deps\.sh, or ` + sudo + `apt-get install -y postgresql-15$`
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err != nil {
		want["ca-certificates"] = `ca-certificates \(.*\): .*apt-get install -y ca-certificates$`
	}
	got := missingLines(out)
	for name, re := range want {
		line, ok := got[name]
		if !ok {
			t.Errorf("no missing: line for %s\n%s", name, out)
			continue
		}
		if !regexp.MustCompile(`^missing: ` + re).MatchString(line) {
			t.Errorf("line for %s:\n  %s\nwant it to match\n  %s", name, line, re)
		}
	}
	for name, line := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected: %s", line)
		}
	}
	if !strings.Contains(out, "prerequisite(s) missing") {
		t.Errorf("no closing summary:\n%s", out)
	}

	// make test: the same list, and no server started.
	out, code = run(t, bash, path, nil, "scripts/test.sh")
	if code == 0 {
		t.Fatalf("scripts/test.sh with every tool hidden succeeded:\n%s", out)
	}
	if got := missingLines(out); len(got) != len(want) {
		t.Errorf("scripts/test.sh named %d missing prerequisites, want %d:\n%s", len(got), len(want), out)
	}
	for _, banner := range []string{"starting", "reusing", "== servers:", "== go test"} {
		if strings.Contains(out, banner) {
			t.Errorf("scripts/test.sh went past the check (%q in its output):\n%s", banner, out)
		}
	}
}

// TestPrerequisiteCheckFindsAJREWithoutJDK: with everything present but
// javac (a Java runtime without the JDK, the state that once stopped
// make test with a bare "missing: java"), the check names javac alone.
func TestPrerequisiteCheckFindsAJREWithoutJDK(t *testing.T) {
	path, bash := hidingPath(t)
	if out, code := run(t, bash, path, nil, "scripts/install-deps.sh", "--check"); code != 0 {
		testenv.Missing(t, "this machine lacks prerequisites of make test (run scripts/install-deps.sh):\n"+out)
	}
	path, bash = hidingPath(t, "javac")
	out, code := run(t, bash, path, nil, "scripts/install-deps.sh", "--check")
	got := missingLines(out)
	if code != 1 || len(got) != 1 || got["javac"] == "" || !strings.Contains(got["javac"], "openjdk-17-jdk-headless") {
		t.Fatalf("with only javac hidden: exit %d, want 1 and one line for javac naming openjdk-17-jdk-headless:\n%s", code, out)
	}
}

// TestInstallDepsAsRootOrThroughSudo runs the installing mode with apt-get
// and sudo replaced by stubs that record their arguments: as root it calls
// apt-get itself; as another user it goes through sudo, or, without sudo,
// says what to run and calls nothing. (Nothing is installed, so each run
// ends by naming what is still missing, with exit 1.)
func TestInstallDepsAsRootOrThroughSudo(t *testing.T) {
	path, bash := hidingPath(t, everyHiddenProgram...)
	// A folder every user can read, with the script, the stubs and the log.
	dir := t.TempDir()
	script, err := os.ReadFile("scripts/install-deps.sh")
	if err != nil {
		t.Fatal(err)
	}
	writeScripts(t, dir, map[string]string{
		"install-deps.sh": string(script),
		"stubs/apt-get":   "#!/bin/sh\necho \"apt-get $*\" >>" + dir + "/log\n",
		"stubs/sudo":      "#!/bin/sh\necho \"sudo $*\" >>" + dir + "/log\n",
	})
	for _, d := range []string{dir, filepath.Dir(dir), path, filepath.Dir(path)} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	log := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.Remove(filepath.Join(dir, "log"))
		return string(b)
	}
	// As another user: the test's own when it is not root, nobody when it is.
	var other *syscall.Credential
	if os.Geteuid() == 0 {
		other = &syscall.Credential{Uid: 65534, Gid: 65534}
	}
	install := regexp.MustCompile(`apt-get install -y -qq --no-install-recommends ((?:[a-z0-9.+-]+ ?)+)`)
	checkInstall := func(t *testing.T, log string) {
		t.Helper()
		m := install.FindStringSubmatch(log)
		if m == nil || !strings.Contains(log, "apt-get update") {
			t.Fatalf("no apt-get update and install in:\n%s", log)
		}
		pkgs := strings.Fields(m[1])
		for _, p := range []string{"make", "git", "curl", "gcc", "libc6-dev", "openjdk-17-jdk-headless", "redis-server", "redis-sentinel", "chromium", "mariadb-server"} {
			if n := strings.Count(" "+m[1]+" ", " "+p+" "); n != 1 {
				t.Errorf("package %s asked for %d times in %v", p, n, pkgs)
			}
		}
	}

	t.Run("root", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("not root")
		}
		out, code := run(t, bash, filepath.Join(dir, "stubs")+":"+path, nil, filepath.Join(dir, "install-deps.sh"))
		l := log()
		if code != 1 || strings.Contains(l, "sudo") {
			t.Fatalf("exit %d (want 1: nothing got installed), calls:\n%s\noutput:\n%s", code, l, out)
		}
		checkInstall(t, l)
		if !strings.Contains(out, "openjdk-17-jdk-headless: Java 17: runs DynamoDB Local; Java 17 JDK: compiles") || !strings.Contains(out, "missing: javac") {
			t.Errorf("the output does not say what it installs and why, then what is still missing:\n%s", out)
		}
	})
	t.Run("sudo", func(t *testing.T) {
		out, code := run(t, bash, filepath.Join(dir, "stubs")+":"+path, other, filepath.Join(dir, "install-deps.sh"))
		l := log()
		if code != 1 || !strings.Contains(out, "through sudo") {
			t.Fatalf("exit %d, want 1 and a word about sudo; calls:\n%s\noutput:\n%s", code, l, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(l), "\n") {
			if !strings.HasPrefix(line, "sudo env DEBIAN_FRONTEND=noninteractive apt-get ") {
				t.Errorf("not through sudo: %s", line)
			}
		}
		checkInstall(t, l)
	})
	t.Run("neither", func(t *testing.T) {
		if err := os.Remove(filepath.Join(dir, "stubs", "sudo")); err != nil {
			t.Fatal(err)
		}
		out, code := run(t, bash, filepath.Join(dir, "stubs")+":"+path, other, filepath.Join(dir, "install-deps.sh"))
		if l := log(); code != 1 || l != "" {
			t.Fatalf("exit %d, want 1 and no call; calls:\n%s\noutput:\n%s", code, l, out)
		}
		if !strings.Contains(out, "without sudo") || !regexp.MustCompile(`apt-get install -y --no-install-recommends .*openjdk-17-jdk-headless`).MatchString(out) {
			t.Errorf("does not say what to do without root and sudo:\n%s", out)
		}
	})
}

// TestMakeTestScriptIsWhole: scripts/test.sh hands its test commands to
// scripts/with-services.sh as one `bash -c SCRIPT` argument. A single quote
// inside SCRIPT once split it in two, so bash -c ran half a script, failed
// with "unexpected EOF", and make test ran no test at all. With the other
// scripts stubbed, this checks that with-services.sh gets exactly
// `bash -c SCRIPT` and that SCRIPT parses.
func TestMakeTestScriptIsWhole(t *testing.T) {
	bash := bashPath(t)
	dir := t.TempDir()
	src, err := os.ReadFile("scripts/test.sh")
	if err != nil {
		t.Fatal(err)
	}
	writeScripts(t, dir, map[string]string{
		"scripts/test.sh":         string(src),
		"scripts/install-deps.sh": "#!/bin/sh\nexit 0\n",
		"scripts/with-services.sh": `#!/usr/bin/env bash
if [ $# -ne 3 ] || [ "$1" != bash ] || [ "$2" != -c ]; then echo "with-services.sh got $# arguments, want bash -c SCRIPT"; exit 1; fi
exec bash -n -c "$3"
`,
	})
	if out, code := run(t, bash, os.Getenv("PATH"), nil, filepath.Join(dir, "scripts/test.sh")); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
