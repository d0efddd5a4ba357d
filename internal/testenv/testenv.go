// Package testenv finds the servers that driver tests run against.
//
// Servers are named by environment variables (NARVIK_REDIS_URL and friends),
// which `make services-up` writes to .services/*.env and `make test` exports.
// Under a plain `go test ./...` a missing variable skips the test with a
// message that says how to start the server; under CI (CI=true) it fails the
// test, so CI can never pass by skipping.
package testenv

import (
	"os"
	"testing"
)

// InCI reports whether the tests run under CI, where every server is required.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "0" && v != "false"
}

// Get returns the value of the environment variable name. When it is empty the
// test is skipped (or, under CI, fails) with a message naming the variable and
// hint, the command that starts the server.
func Get(t testing.TB, name, hint string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	Missing(t, name+" is not set; start the server with `"+hint+"` or run `make test`")
	return ""
}

// Missing skips the test with reason, or fails it under CI.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("required under CI: %s", reason)
	}
	t.Skip(reason)
}
