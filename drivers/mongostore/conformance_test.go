package mongostore_test

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

// TestConformance runs the shared suite; every subtest gets a fresh collection
// (dropped afterwards) on one client.
func TestConformance(t *testing.T) {
	client := connect(t)
	conformance.Run(t, func(t *testing.T) narvik.SessionStore {
		s, _ := newStore(t, client)
		return s
	})
}
