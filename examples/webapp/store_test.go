package main

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/examples/webapp/internal/stores"
	"github.com/narvik-go/narvik/storeurl/storeurltest"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// kinds is every kind of store, and a URL of each that nothing answers,
// for the refusals of a build without its driver.
var kinds = []struct {
	kind urlopen.Kind
	url  string
}{
	{urlopen.Memory, "memory"},
	{urlopen.Bolt, "bolt:x.db"},
	{urlopen.Redis, "redis://127.0.0.1:1/0"},
	{urlopen.RedisCluster, "redis-cluster://127.0.0.1:1,127.0.0.1:2"},
	{urlopen.MongoDB, "mongodb://127.0.0.1:1/"},
	{urlopen.DynamoDB, "dynamodb://127.0.0.1:1"},
	{urlopen.Postgres, "postgres://u@127.0.0.1:1/narvik"},
	{urlopen.MySQL, "mysql://u@127.0.0.1:1/narvik"},
	{urlopen.SQLite, "sqlite:/tmp/x.db"}, // a folder others can write: refused for its driver first
}

// TestOpenStore opens every store this build has: memory and bolt always,
// under `go test -tags all` every kind (the servers' from storeurltest,
// which make test starts). A store whose driver the build lacks is refused
// before anything is contacted, with the build tag that brings it in.
func TestOpenStore(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // where "bolt" puts its file on Linux
	t.Setenv("HOME", t.TempDir())
	for _, k := range kinds {
		t.Run(string(k.kind), func(t *testing.T) {
			if tag := stores.Tag(k.kind); slices.Contains(stores.Missing(), tag) {
				_, _, err := resolveStore(k.url)
				var nb *urlopen.NotBuiltInError
				if !errors.As(err, &nb) || nb.Kind != k.kind || !errors.Is(err, urlopen.ErrBadURL) {
					t.Fatalf("resolveStore(%q) = %v, want a NotBuiltInError of kind %s", k.url, err, k.kind)
				}
				if msg := err.Error(); !strings.Contains(msg, "go run -tags "+tag+" ./examples/webapp") || !strings.Contains(msg, "-tags all") {
					t.Fatalf("resolveStore(%q) says %q: want the build tags that bring the driver in", k.url, msg)
				}
				return
			}
			checkOpens(t, storeurltest.URL(t, k.kind))
		})
	}
	checkOpens(t, "bolt")
	if _, _, err := resolveStore("nope://x"); !errors.Is(err, urlopen.ErrBadURL) || !strings.Contains(err.Error(), "-store") {
		t.Fatalf("unknown store: %v", err)
	}
}

// checkOpens opens the store spec names, saves and deletes a session, and
// closes it.
func checkOpens(t *testing.T, spec string) {
	t.Helper()
	ctx := context.Background()
	s, _, err := resolveStore(spec)
	if err != nil {
		t.Fatal(err)
	}
	store, desc, closeStore, err := openStore(ctx, s)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	defer func() {
		if err := closeStore(); err != nil {
			t.Fatalf("%s: close: %v", desc, err)
		}
	}()
	rec := narvik.Record{ID: narvik.SessionIDFromToken("abcdefghijklmnopqrstuvwxyz234567"), UserID: "u", CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.SaveSession(ctx, rec); err != nil {
		t.Fatalf("%s: save: %v", desc, err)
	}
	if err := store.DeleteSession(ctx, rec.ID); err != nil { // a server's table outlives the test
		t.Fatalf("%s: delete: %v", desc, err)
	}
}

// serverClients are the import paths of the clients only some drivers
// need: a default build of the demo compiles none of them.
var serverClients = []string{
	"github.com/aws/", "go.mongodb.org/", "github.com/redis/", "github.com/jackc/",
	"github.com/go-sql-driver/", "modernc.org/",
}

// TestDefaultBuildHasNoServerClient: `go run ./examples/webapp` compiles
// no server client (its first run would spend minutes on them), and
// -tags all compiles every one (which shows the check can fail).
func TestDefaultBuildHasNoServerClient(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is needed to list the build's packages")
	}
	deps := func(args ...string) []string {
		out, err := exec.Command(goBin, append(append([]string{"list", "-deps"}, args...), ".")...).Output()
		if err != nil {
			t.Fatalf("go list -deps %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	clients := func(pkgs []string) map[string]bool {
		found := map[string]bool{}
		for _, p := range pkgs {
			for _, c := range serverClients {
				if strings.HasPrefix(p, c) {
					found[c] = true
				}
			}
		}
		return found
	}
	if found := clients(deps()); len(found) > 0 {
		t.Errorf("the default build compiles %v", found)
	}
	if found := clients(deps("-tags", "all")); len(found) != len(serverClients) {
		t.Errorf("-tags all compiles only %v of %v", found, serverClients)
	}
	if found := clients(deps("-tags", "redis")); len(found) != 1 || !found["github.com/redis/"] {
		t.Errorf("-tags redis compiles %v, want go-redis alone", found)
	}
}

// TestDefaultBinaryRefusesServerStore: the binary of a plain go build
// refuses a Redis URL before contacting anything, and says how to get a
// build that has the driver.
func TestDefaultBinaryRefusesServerStore(t *testing.T) {
	bin := buildBinary(t)
	out, err := runToExit(t, bin, nil, "-addr", "127.0.0.1:0", "-store", "redis://u:topsecret@127.0.0.1:1/0")
	if err == nil || !strings.Contains(out, "built without the redis driver") ||
		!strings.Contains(out, "go run -tags redis ./examples/webapp -store URL (-tags all") || strings.Contains(out, "topsecret") {
		t.Fatalf("a default build given a Redis URL: %v\n%s", err, out)
	}
	out, err = runToExit(t, bin, nil, "-h")
	if !strings.Contains(out, "memory, bolt:PATH; other stores with a build tag, -tags redis, mongodb, dynamodb, postgres, mysql, sqlite or all") {
		t.Fatalf("-h: %v\n%s", err, out)
	}
}
