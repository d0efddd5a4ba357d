package memstore

import (
	"sync"

	"github.com/narvik-go/narvik"
)

// Store is an in-memory narvik.SessionStore, safe for concurrent use.
type Store struct {
	mu       sync.RWMutex
	sessions map[string]narvik.Record
	users    map[string]map[string]struct{} // user ID -> set of session IDs
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.Enumerator   = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		sessions: make(map[string]narvik.Record),
		users:    make(map[string]map[string]struct{}),
	}
}
