package dualstore

import (
	"context"

	"github.com/narvik-go/narvik"
)

// Migrate copies every session of the old store into the new one:
// narvik.Migrate from the old store, whose copies go through this Store's
// per-session locks, so that no read of this Store sees a copy before it
// was checked (see the package documentation). Run it in the process that
// serves traffic through this Store, in the background, once per move; run
// it again to resume after a stop. The old store must implement
// narvik.Enumerator. opts are narvik.Migrate's.
func (s *Store) Migrate(ctx context.Context, opts ...narvik.MigrateOption) (narvik.MigrateStats, error) {
	return narvik.Migrate(ctx, s.old, lockedTarget{SessionStore: s.new, s: s}, opts...)
}

// lockedTarget is the new store as Migrate writes to it: each write is a
// whole move (copy and check) under the session's lock. Migrate's own check
// that follows finds the same answer; only a write and a delete of the new
// store are needed besides.
type lockedTarget struct {
	narvik.SessionStore // the new store, for the reads of a dry run
	s                   *Store
}

// SaveSession moves r under its lock. A session the move found signed out
// is reported as written, and Migrate's check that follows counts it as
// revoked.
func (t lockedTarget) SaveSession(ctx context.Context, r narvik.Record) error {
	mu := t.s.lock(r.ID)
	mu.Lock()
	defer mu.Unlock()
	res, err := narvik.CopySession(ctx, t.s.old, t.s.new, r)
	if res == narvik.CopyExisting {
		return narvik.ErrDuplicateSession
	}
	return err
}

// DeleteSession deletes a copy from the new store, under its lock.
func (t lockedTarget) DeleteSession(ctx context.Context, id string) error {
	mu := t.s.lock(id)
	mu.Lock()
	defer mu.Unlock()
	return t.s.new.DeleteSession(ctx, id)
}
