package testkit

import (
	"io"
	"os"
	"testing"
)

// RunExample runs example, an Example function that needs a server and so
// has no Output line, and fails the test unless it prints exactly want.
// This is the one way the repository tests such Examples: the Example reads
// its server's address from the same variable the driver's tests use (and
// a usual default), so the code a user copies is the code that ran.
// Examples that need nothing (memstore, boltstore) carry an Output line
// and are run by go test itself.
func RunExample(t testing.TB, example func(), want string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	func() {
		defer func() { os.Stdout = stdout }()
		example()
	}()
	w.Close()
	got := <-done
	r.Close()
	if string(got) != want {
		t.Fatalf("the example printed\n%s\nwant\n%s", got, want)
	}
}
