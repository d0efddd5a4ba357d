package boltstore

import (
	"github.com/narvik-go/narvik"
	bolt "go.etcd.io/bbolt"
)

// SaveMany saves records in one transaction, exactly as SaveSession saves
// one. Tests and benchmarks use it to build large fixtures without paying
// one fsync per record.
func (s *Store) SaveMany(records []narvik.Record) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		for _, r := range records {
			if err := newEntries(r).put(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// DB exposes the database for tests that inspect the raw layout.
func (s *Store) DB() *bolt.DB { return s.db }
