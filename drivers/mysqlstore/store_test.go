package mysqlstore

import (
	"testing"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
)

func TestConformance(t *testing.T) {
	db := testDB(t)
	conformance.Run(t, func(t testing.TB) narvik.SessionStore { return newTestStore(t, db) })
}
