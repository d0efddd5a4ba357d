package sqltest

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/narvik-go/narvik/internal/testenv"
	"github.com/narvik-go/narvik/internal/testkit"
)

// PostgresBin is where Debian's postgresql-15 keeps its programs.
const PostgresBin = "/usr/lib/postgresql/15/bin"

// Postgres is a private PostgreSQL server of one test.
type Postgres struct {
	*testkit.Server
	t    *testing.T
	cred *syscall.Credential // the postgres user's, when the test runs as root
}

// StartPostgres starts a PostgreSQL 15 cluster of the test's own (initdb in
// a temporary folder, trust authentication, fsync off) on a loopback port.
// PostgreSQL refuses to run as root: run as root, the cluster belongs to
// the unprivileged postgres user and its processes run as that user. The
// server runs in a process group of its own, so Kill ends its backends too.
func StartPostgres(t *testing.T) *Postgres {
	t.Helper()
	if _, err := os.Stat(filepath.Join(PostgresBin, "postgres")); err != nil {
		testenv.Missing(t, "PostgreSQL 15 is not installed in "+PostgresBin+"; run scripts/install-deps.sh")
	}
	p := &Postgres{t: t}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			testenv.Missing(t, "running as root needs the user postgres (from the postgresql package): "+err.Error())
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	p.Server = testkit.StartServer(t, testkit.ServerSpec{
		Name: "postgres",
		Command: func(port int, dir string) *exec.Cmd {
			data := filepath.Join(dir, "data")
			if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
				p.initdb(t, dir, data)
			}
			cmd := exec.Command(filepath.Join(PostgresBin, "postgres"), "-D", data, "-p", strconv.Itoa(port),
				"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "fsync=off")
			cmd.Dir = dir
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred, Setpgid: true}
			return cmd
		},
		Ready: func(port int) bool {
			return exec.Command(filepath.Join(PostgresBin, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(port)).Run() == nil
		},
	})
	return p
}

// initdb creates the cluster in data, owned by the user the server runs as.
func (p *Postgres) initdb(t *testing.T, dir, data string) {
	t.Helper()
	if p.cred != nil {
		// The postgres user must reach dir through the test's temporary
		// folders, which are private to root.
		for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o711); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(dir, int(p.cred.Uid), int(p.cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(PostgresBin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
}

// URL is the connection string of the server's database postgres.
func (p *Postgres) URL() string {
	return "postgres://postgres@" + p.Addr() + "/postgres?sslmode=disable&connect_timeout=2"
}

// Kill stops the postmaster and every backend with SIGKILL, as a crash
// would, and waits until they are gone, so that Restart finds no process
// of the old server attached to its shared memory.
func (p *Postgres) Kill() {
	if pid := p.pid(); pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		p.Server.Kill()
		if !testkit.WaitFor(10*time.Second, func() bool { return syscall.Kill(-pid, 0) == syscall.ESRCH }) {
			p.t.Fatal("postgres backends outlived their postmaster by 10 s")
		}
		return
	}
	p.Server.Kill()
}

// Restart starts the killed server again on its port and folder.
func (p *Postgres) Restart() {
	p.Kill()
	p.Server.Restart()
}

// pid is the postmaster's process ID from its pid file, 0 if none.
func (p *Postgres) pid() int {
	b, err := os.ReadFile(filepath.Join(p.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	n, _ := strconv.Atoi(string(line))
	return n
}

// StartMariaDB starts a MariaDB server of the test's own (a datadir made
// by mariadb-install-db in a temporary folder, root without a password) on
// a loopback port. Its DSN for go-sql-driver/mysql is DSN(s, "").
func StartMariaDB(t *testing.T) *testkit.Server {
	t.Helper()
	if _, err := exec.LookPath("mariadbd"); err != nil {
		testenv.Missing(t, "mariadbd is not installed; run scripts/install-deps.sh")
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return testkit.StartServer(t, testkit.ServerSpec{
		Name: "mariadbd",
		Command: func(port int, dir string) *exec.Cmd {
			data := filepath.Join(dir, "data")
			if _, err := os.Stat(filepath.Join(data, "mysql")); err != nil {
				out, err := exec.Command("mariadb-install-db", "--datadir="+data, "--user="+me.Username,
					"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
				if err != nil {
					t.Fatalf("mariadb-install-db: %v\n%s", err, out)
				}
			}
			return exec.Command("mariadbd", "--no-defaults", "--datadir="+data, "--socket="+filepath.Join(dir, "sock"),
				"--port="+strconv.Itoa(port), "--bind-address=127.0.0.1", "--user="+me.Username,
				"--skip-log-bin", "--innodb-flush-log-at-trx-commit=2", "--innodb-doublewrite=0")
		},
		Ready:   testkit.Dial,
		Timeout: 60 * time.Second,
	})
}

// DSN is the go-sql-driver/mysql DSN of database db on a server from
// StartMariaDB, with short timeouts so that calls fail fast when it is down.
func DSN(s *testkit.Server, db string) string {
	return "root@tcp(" + s.Addr() + ")/" + db + "?timeout=2s&readTimeout=5s&writeTimeout=5s"
}
