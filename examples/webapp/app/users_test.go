package app

import (
	"bytes"
	"strings"
	"testing"
)

func TestPasswordsAreHashedWithOwnSalts(t *testing.T) {
	u, err := newUsers(1000, 10, DefaultLimits().WrongPasswordsPerAccount, DemoUsers)
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := u.byName("alice"), u.byName("bob")
	if len(alice.salt) != saltLen || len(alice.key) != keyLen || bytes.Equal(alice.salt, bob.salt) {
		t.Fatalf("salts %x %x, key length %d", alice.salt, bob.salt, len(alice.key))
	}
	if bytes.Contains(alice.key, []byte("wonderland")) {
		t.Fatal("the password is kept in clear")
	}
	if !u.checkPassword(alice, "wonderland") || u.checkPassword(alice, "Wonderland") ||
		u.checkPassword(bob, "wonderland") || u.checkPassword(nil, "") || u.checkPassword(nil, "wonderland") {
		t.Fatal("checkPassword")
	}
	// The same password gets a different hash for another user.
	carol, err := u.signUp("carol", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(carol.key, alice.key) || !strings.HasPrefix(carol.ID, "u-") {
		t.Fatalf("carol %+v", carol)
	}
	if _, err := u.signUp("carol", "another-one"); err != errUserExists {
		t.Fatalf("duplicate sign-up: %v", err)
	}
}

func TestDescribeUserAgent(t *testing.T) {
	for ua, want := range map[string]string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "Edge on Windows",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0":                                          "Firefox on macOS",
		"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36":                      "Chrome on Android",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36":                     "Headless Chrome on Linux",
		"curl/8.5.0": "curl",
		"":           "Unknown browser",
	} {
		if got := describeUserAgent(ua); got != want {
			t.Errorf("%q: %q, want %q", ua, got, want)
		}
	}
}
