package postgresstore

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

func TestConformance(t *testing.T) {
	pool := testPool(t)
	conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, pool) })
}
