package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik/storeurl"
	"github.com/narvik-go/narvik/storeurl/storeurltest"
)

// stores are the kinds the CLI's session commands are tested on: the
// embedded default, the two servers the issue names, and one SQL store.
var stores = []storeurl.Kind{storeurl.Bolt, storeurl.Redis, storeurl.DynamoDB, storeurl.Postgres}

// rows returns the data rows of a sessions list table.
func rows(t *testing.T, table string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	if len(lines) == 0 || !regexp.MustCompile(`^ID\s+CREATED\s+EXPIRES\s+DATA$`).MatchString(lines[0]) {
		t.Fatalf("the table has no header ID CREATED EXPIRES DATA:\n%s", table)
	}
	var out [][]string
	for _, l := range lines[1:] {
		out = append(out, strings.Fields(l))
	}
	return out
}

func TestSessionsListAndRevoke(t *testing.T) {
	for _, kind := range stores {
		t.Run(string(kind), func(t *testing.T) {
			url := storeurltest.URL(t, kind)
			alice := issue(t, url, time.Hour, "alice", "alice", "alice")
			bob := issue(t, url, time.Hour, "bob")
			store := []string{"-store", url}

			r := run(t, nil, append([]string{"sessions", "list", "-user", "alice"}, store...)...)
			expect(t, r, exitOK, nil, out(`3 live sessions of user "alice"`))
			got := rows(t, r.stdout)
			if len(got) != 3 {
				t.Fatalf("listed %d rows, want alice's 3:\n%s", len(got), r.stdout)
			}
			prefixes := map[string]bool{}
			for _, row := range got {
				if len(row) != 5 || len(row[0]) != idPrefix || row[4] != "B" {
					t.Fatalf("row %q: want ID prefix, created, expires, size B", row)
				}
				for _, stamp := range row[1:3] {
					if _, err := time.Parse(time.RFC3339, stamp); err != nil {
						t.Fatalf("row %q: %q is not an RFC 3339 time", row, stamp)
					}
				}
				if row[3] != fmt.Sprint(len(`{"ip":"203.0.113.0"}`)) && row[3] != fmt.Sprint(len(`{"ip":"203.0.113.1"}`)) {
					t.Fatalf("row %q: data size %s", row, row[3])
				}
				prefixes[row[0]] = true
			}
			for _, s := range alice {
				if !prefixes[s.id[:idPrefix]] {
					t.Fatalf("session %s of alice is not listed", s.id[:idPrefix])
				}
			}

			// One session by its whole ID.
			expect(t, run(t, nil, append([]string{"sessions", "revoke", "-id", alice[0].id}, store...)...),
				exitOK, out("revoked session "+alice[0].id[:idPrefix]+`... of user "alice"`), nil)
			// One session by the start of its ID, as the list shows it.
			expect(t, run(t, nil, append([]string{"sessions", "revoke", "-user", "alice", "-id", alice[1].id[:idPrefix]}, store...)...),
				exitOK, out("revoked session "+alice[1].id[:idPrefix]), nil)
			if n := valid(t, url, alice); n != 1 {
				t.Fatalf("%d of alice's sessions still validate, want 1", n)
			}
			// Nothing to revoke is not an error.
			expect(t, run(t, nil, append([]string{"sessions", "revoke", "-id", alice[0].id}, store...)...),
				exitOK, out("nothing to revoke"), nil)
			// Everywhere.
			expect(t, run(t, nil, append([]string{"sessions", "revoke", "-user", "alice"}, store...)...),
				exitOK, out(`revoked 1 session of user "alice"`), nil)
			if n := valid(t, url, alice); n != 0 {
				t.Fatalf("%d of alice's sessions validate after revoke -user", n)
			}
			if n := valid(t, url, bob); n != 1 {
				t.Fatal("revoking alice's sessions ended bob's")
			}
			r = run(t, nil, append([]string{"sessions", "list", "-user", "alice"}, store...)...)
			expect(t, r, exitOK, nil, out(`0 live sessions of user "alice"`))
			if len(rows(t, r.stdout)) != 0 {
				t.Fatalf("rows listed after revoke -user:\n%s", r.stdout)
			}
		})
	}
}

func TestPurgeExpiredAndStats(t *testing.T) {
	url := storeurltest.URL(t, storeurl.Bolt)
	issue(t, url, -time.Minute, "old", "old", "old", "old")
	issue(t, url, time.Hour, "alice", "bob")
	r := run(t, nil, "stats", "-store", url)
	expect(t, r, exitOK, nil, nil)
	if !regexp.MustCompile(`(?m)^live sessions:\s+2$`).MatchString(r.stdout) {
		t.Fatalf("stats does not say 2 live sessions:\n%s", r)
	}
	expect(t, run(t, nil, "purge-expired", "-store", url), exitOK, out("deleted 4 expired sessions"), nil)
	expect(t, run(t, nil, "purge-expired", "-store", url), exitOK, out("deleted 0 expired sessions"), nil)
	// A store whose server deletes expired sessions says so.
	expect(t, run(t, nil, "purge-expired", "-store", storeurltest.URL(t, storeurl.Redis)), exitOK,
		out("deleted 0 expired sessions"), out("also deletes expired sessions by itself"))

	// A store on a server is counted only when asked to read everything.
	server := storeurltest.URL(t, storeurl.Postgres)
	issue(t, server, time.Hour, "alice", "bob", "carol")
	r = run(t, nil, "stats", "-store", server)
	expect(t, r, exitOK, out("not counted", "-walk", "kept until narvik purge-expired"), nil)
	r = run(t, nil, "stats", "-walk", "-store", server)
	expect(t, r, exitOK, out("counted in:"), nil)
	if !regexp.MustCompile(`(?m)^live sessions:\s+3$`).MatchString(r.stdout) {
		t.Fatalf("stats -walk does not say 3 live sessions:\n%s", r)
	}
}

func TestEnsureSchema(t *testing.T) {
	url := storeurltest.URL(t, storeurl.DynamoDB)
	// Before: the table is missing, and commands say what to do.
	expect(t, run(t, nil, "sessions", "list", "-user", "alice", "-store", url), exitUnavailable, nil, out("narvik ensure-schema"))
	expect(t, run(t, nil, "ensure-schema", "-store", url), exitOK, out("is in place"), nil)
	expect(t, run(t, nil, "ensure-schema", "-store", url), exitOK, out("is in place"), nil)
	expect(t, run(t, nil, "sessions", "list", "-user", "alice", "-store", url), exitOK, nil, out("0 live sessions"))

	bolt := storeurltest.URL(t, storeurl.Bolt)
	expect(t, run(t, nil, "ensure-schema", "-store", bolt), exitOK, nil, nil)
	expect(t, run(t, nil, "stats", "-store", bolt), exitOK, out("live sessions:"), nil)
	expect(t, run(t, nil, "ensure-schema", "-store", "memory"), exitOK, out("needs no schema"), nil)
}

func TestUnreachableStores(t *testing.T) {
	from := storeurltest.URL(t, storeurl.Bolt)
	issue(t, from, time.Hour, "alice")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "-from", from, "-to", "redis://127.0.0.1:1/0"}, "connection refused"},
		{[]string{"migrate", "-from", "redis://127.0.0.1:1/0", "-to", from}, "connection refused"},
		{[]string{"migrate", "-from", from, "-to", "dynamodb://127.0.0.1:1"}, "127.0.0.1:1"},
		{[]string{"sessions", "list", "-user", "u", "-store", "redis-cluster://127.0.0.1:1,127.0.0.1:2"}, "connection refused"},
		{[]string{"sessions", "revoke", "-user", "u", "-store", "bolt:" + t.TempDir() + "/missing.db"}, "no such file"},
		{[]string{"purge-expired", "-store", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"}, "cannot open the store"},
	} {
		expect(t, run(t, nil, c.args...), exitUnavailable, nil, out(c.want))
	}
	if n := valid(t, from, issue(t, from, time.Hour, "bob")); n != 1 {
		t.Fatal("the source store was changed")
	}
}
