package sqlitestore

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t) })
}
