package dynamostore_test

import (
	"testing"

	"github.com/narvik-go/narvik/internal/testkit"
)

// TestExample runs Example against the test server and checks what it
// prints (Example has no Output line because it needs a server).
func TestExample(t *testing.T) {
	client := newClient(t, endpoint(t)) // skips (or fails under CI) without a server
	t.Cleanup(func() { dropTable(t, client, "narvik-example-sessions") })
	testkit.RunExample(t, Example, "signed in: user-42 Ada\nafter sign-out everywhere: <nil> <nil>\n")
}
