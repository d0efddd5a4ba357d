package dynamostore_test

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestExample runs Example against the test server and checks what it
// prints (Example has no Output line because it needs a server).
func TestExample(t *testing.T) {
	endpoint(t) // skip (or fail under CI) without a server
	client := newClient(t, endpoint(t))
	t.Cleanup(func() { dropTable(t, client, "narvik-example-sessions") })

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
		Example()
	}()
	w.Close()
	got := <-done
	want := "signed in: user-42 Ada\nafter sign-out everywhere: <nil> <nil>\n"
	if !bytes.Equal(got, []byte(want)) {
		t.Fatalf("Example printed\n%s\nwant\n%s", got, want)
	}
}
