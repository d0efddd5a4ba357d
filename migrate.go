package narvik

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrCannotEnumerate is returned by Migrate when the source store does not
// implement Enumerator, so its sessions cannot be walked.
var ErrCannotEnumerate = errors.New("narvik: the store cannot enumerate its sessions (it does not implement narvik.Enumerator)")

// DefaultMigrateWorkers is how many sessions Migrate writes at a time unless
// WithMigrateWorkers says otherwise: enough to hide a network store's round
// trip, few enough not to crowd a shared server.
const DefaultMigrateWorkers = 8

// checkTimeout bounds the check that follows a write (see Migrate) when the
// caller's context has ended: the check still runs, so that a cancelled
// migration leaves no copy it has not checked, but it does not wait forever
// on a source that stopped answering.
const checkTimeout = 30 * time.Second

// MigrateOption configures Migrate.
type MigrateOption func(*migrateConfig)

type migrateConfig struct {
	workers  int
	dryRun   bool
	every    time.Duration
	progress func(MigrateStats)
}

// WithMigrateWorkers sets how many sessions Migrate writes to the target at
// the same time (default DefaultMigrateWorkers). It must be at least 1.
func WithMigrateWorkers(n int) MigrateOption {
	return func(c *migrateConfig) { c.workers = n }
}

// WithMigrateDryRun makes Migrate write nothing: it walks the source and
// asks the target for each live session, so that the stats say how many
// sessions a real run would copy (Copied) and how many the target already
// holds (Existing). Both stores are read as a real run would read them, so
// a dry run also proves that both can be reached.
func WithMigrateDryRun() MigrateOption {
	return func(c *migrateConfig) { c.dryRun = true }
}

// WithMigrateProgress makes Migrate call f with the stats so far every
// interval, and once more with the final stats just before it returns. The
// calls come from one goroutine at a time, never concurrently, so f needs
// no lock; it should return quickly, as the next report waits for it. The
// interval must be positive.
func WithMigrateProgress(every time.Duration, f func(MigrateStats)) MigrateOption {
	return func(c *migrateConfig) { c.every, c.progress = every, f }
}

// MigrateStats counts what Migrate did. Every live session the walk of the
// source yielded ends in exactly one of Copied, Existing, Expired and
// Revoked, except the few in flight when a run stops on an error.
type MigrateStats struct {
	// Read is how many live sessions the walk of the source yielded.
	Read int64
	// Copied is how many sessions were written to the target (in a dry
	// run: how many the target lacks and a real run would write).
	Copied int64
	// Existing is how many the target already held, under the same ID:
	// copied by an earlier run, or moved there by a dual store. They are
	// left as they are.
	Existing int64
	// Expired is how many expired between the walk and their turn to be
	// written, and were not copied.
	Expired int64
	// Revoked is how many were gone from the source when Migrate checked
	// right after writing them (signed out, or expired, during the copy):
	// their copy was removed again, so that they stay signed out.
	Revoked int64
	// Elapsed is the time since Migrate started.
	Elapsed time.Duration
}

// Done is how many sessions have been dealt with: copied, found in the
// target, or skipped as expired or revoked.
func (s MigrateStats) Done() int64 { return s.Copied + s.Existing + s.Expired + s.Revoked }

// Rate is how many sessions are dealt with per second, on average since the
// start; 0 before any time has passed.
func (s MigrateStats) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Done()) / s.Elapsed.Seconds()
}

// Migrate copies every live session of from into to, keeping its ID, user,
// expiry, creation time and data, so that every token issued through from
// validates through to. from must implement Enumerator; Migrate fails with
// ErrCannotEnumerate otherwise, before touching either store.
//
// It is idempotent: a session whose ID the target already holds
// (ErrDuplicateSession) counts as already migrated and is left alone, so a
// second run copies nothing. It is resumable: a run that stopped (a
// cancelled context, a crash, a store that failed) is finished by running
// it again, which walks the source again and skips, at the cost of one
// conditional write each, what the first run copied. There is no
// checkpoint: an Enumerator has no cursor that stays valid from one walk to
// the next, and a checkpoint that could skip sessions would be worse than
// the conditional writes it saves.
//
// Memory stays bounded whatever the size of the source: one page of the
// source's walk, and at most twice the number of workers sessions between
// the walk and the writes. Writes run on WithMigrateWorkers goroutines,
// all finished when Migrate returns.
//
// Each session is copied by CopySession: the write is followed by a read
// of the session in from, and a session no longer there was signed out (or
// expired) while it was being copied, so its copy is deleted again. This
// makes Migrate safe to run while the application signs users in and out
// through a dual store (drivers/dualstore), which deletes from the old
// store before the new one: whichever of the copy and the sign-out comes
// last, the session ends up gone from both. The check runs even when ctx
// ends during the write, on a bounded context of its own, so that a
// cancelled run leaves no copy unchecked. Migrate is not a way to keep two
// stores in step while an application writes to the old one alone:
// sessions created, extended or signed out there after their turn in the
// walk are not carried over. Run it with the application stopped, or with
// the application on a dual store.
//
// Migrate stops at the first error of the walk or of a write (other than
// ErrDuplicateSession) and returns it with the stats so far; running it
// again resumes. Expired sessions are never copied.
func Migrate(ctx context.Context, from, to SessionStore, opts ...MigrateOption) (MigrateStats, error) {
	if from == nil || to == nil {
		return MigrateStats{}, fmt.Errorf("narvik: Migrate: %w", ErrNilStore)
	}
	cfg := migrateConfig{workers: DefaultMigrateWorkers}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.workers < 1 {
		return MigrateStats{}, fmt.Errorf("%w: WithMigrateWorkers(%d): want at least 1", ErrInvalidOption, cfg.workers)
	}
	if cfg.progress != nil && cfg.every <= 0 {
		return MigrateStats{}, fmt.Errorf("%w: WithMigrateProgress(%v): want a positive interval", ErrInvalidOption, cfg.every)
	}
	src, ok := from.(Enumerator)
	if !ok {
		return MigrateStats{}, fmt.Errorf("narvik: Migrate: source %T: %w", from, ErrCannotEnumerate)
	}
	if err := ctx.Err(); err != nil {
		return MigrateStats{}, fmt.Errorf("narvik: Migrate: %w", err)
	}
	m := &migration{from: from, to: to, dryRun: cfg.dryRun, start: time.Now()}
	return m.run(ctx, src, cfg)
}

// migration is one run of Migrate: the stores and the counters its
// goroutines share.
type migration struct {
	from, to SessionStore
	dryRun   bool
	start    time.Time

	read, copied, existing, expired, revoked atomic.Int64
}

// stats is a snapshot of the counters. Read is loaded last: a record is
// counted read before it is counted done, so the snapshot never shows more
// sessions done than read.
func (m *migration) stats() MigrateStats {
	st := MigrateStats{
		Copied:   m.copied.Load(),
		Existing: m.existing.Load(),
		Expired:  m.expired.Load(),
		Revoked:  m.revoked.Load(),
	}
	st.Read = m.read.Load()
	st.Elapsed = time.Since(m.start)
	return st
}

func (m *migration) run(parent context.Context, src Enumerator, cfg migrateConfig) (MigrateStats, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)

	// The channel is the bound on memory: the walk blocks once the workers
	// are this far behind.
	records := make(chan Record, cfg.workers)
	var workers sync.WaitGroup
	for range cfg.workers {
		workers.Go(func() {
			for r := range records {
				if ctx.Err() != nil {
					continue // drain: the run is over
				}
				if err := m.one(ctx, r); err != nil {
					cancel(err)
				}
			}
		})
	}

	stopReports := m.report(cfg)

	var walkErr error
walk:
	for r, err := range src.AllSessions(ctx) {
		if err != nil {
			walkErr = err
			break
		}
		m.read.Add(1)
		select {
		case records <- r:
		case <-ctx.Done():
			break walk
		}
	}
	close(records)
	workers.Wait()
	stopReports()

	st := m.stats()
	if cfg.progress != nil {
		cfg.progress(st)
	}
	// A failed write is the cause of everything that followed it (the walk
	// sees the cancellation); report it rather than the cancellation.
	cause := context.Cause(ctx)
	switch {
	case cause != nil && parent.Err() == nil:
		return st, cause
	case parent.Err() != nil:
		return st, fmt.Errorf("narvik: Migrate: stopped after %d of %d sessions: %w", st.Done(), st.Read, parent.Err())
	case walkErr != nil:
		return st, fmt.Errorf("narvik: Migrate: walk the source: %w", walkErr)
	}
	return st, nil
}

// report starts the progress reports of cfg, if any, and returns the
// function that stops them and waits until the last one has returned.
func (m *migration) report(cfg migrateConfig) (stop func()) {
	if cfg.progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(cfg.every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				cfg.progress(m.stats())
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// one migrates one record.
func (m *migration) one(ctx context.Context, r Record) error {
	if m.dryRun {
		return m.dry(ctx, r)
	}
	res, err := CopySession(ctx, m.from, m.to, r)
	switch res {
	case CopyWritten:
		m.copied.Add(1)
	case CopyExisting:
		m.existing.Add(1)
	case CopyExpired:
		m.expired.Add(1)
	case CopyRevoked:
		m.revoked.Add(1)
	}
	if err != nil {
		return fmt.Errorf("narvik: Migrate: %w", err)
	}
	return nil
}

// dry counts what one would do with r, writing nothing.
func (m *migration) dry(ctx context.Context, r Record) error {
	if !live(r.ExpiresAt, time.Now()) {
		m.expired.Add(1)
		return nil
	}
	_, err := m.to.FetchSession(ctx, r.ID)
	switch {
	case err == nil:
		m.existing.Add(1)
	case errors.Is(err, ErrSessionNotFound):
		m.copied.Add(1)
	default:
		return fmt.Errorf("narvik: Migrate: look up session %s in the target: %w", shortID(r.ID), err)
	}
	return nil
}

// CopyResult says what CopySession did with a session.
type CopyResult uint8

// The results of CopySession. The zero CopyResult means it failed before
// it could tell.
const (
	CopyWritten  CopyResult = iota + 1 // written, and still in the source after the write
	CopyExisting                       // the target already held the ID: nothing written
	CopyExpired                        // expired before its turn: nothing written
	CopyRevoked                        // gone from the source right after the write (signed out or expired meanwhile): the copy was deleted again
)

// CopySession copies r, a record read from from, into to, as Migrate does
// for each session and as a dual store does when a read finds a session
// only in the old store. An expired r is not written. An ID the target
// already holds is left alone (ErrDuplicateSession is CopyExisting, not an
// error).
//
// After the write it reads the session in from again, and deletes the copy
// when from no longer holds it: a session signed out between the read of r
// and the write stays signed out, provided sign-outs delete from the
// source before the target, as drivers/dualstore does. The check also
// follows a write that failed (it may have been applied, as after a
// timeout), and it runs on a context that outlives ctx, for a bounded
// time, so that a cancelled copy leaves nothing unchecked. When from
// cannot be asked, the copy is deleted too and the error returned: a
// session that is still there is copied again by the next attempt.
func CopySession(ctx context.Context, from, to SessionStore, r Record) (CopyResult, error) {
	if !live(r.ExpiresAt, time.Now()) {
		return CopyExpired, nil
	}
	err := to.SaveSession(ctx, r)
	if errors.Is(err, ErrDuplicateSession) {
		return CopyExisting, nil
	}
	gone, cerr := undoIfGone(ctx, from, to, r.ID)
	switch {
	case err != nil:
		return 0, errors.Join(fmt.Errorf("save session %s: %w", shortID(r.ID), err), cerr)
	case cerr != nil:
		return 0, cerr
	case gone:
		return CopyRevoked, nil
	}
	return CopyWritten, nil
}

// undoIfGone deletes the copy of session id from to when from no longer
// holds it, and reports whether it did. When from cannot be asked, it
// deletes the copy too, to stay on the safe side, and returns the error.
// It runs on a context that outlives a cancelled ctx, for a bounded time.
func undoIfGone(ctx context.Context, from, to SessionStore, id string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checkTimeout)
	defer cancel()
	_, err := from.FetchSession(ctx, id)
	if err == nil {
		return false, nil
	}
	if derr := to.DeleteSession(ctx, id); derr != nil {
		return false, fmt.Errorf("delete the copy of session %s, which the source no longer holds or could not confirm (%w): %w", shortID(id), err, derr)
	}
	if errors.Is(err, ErrSessionNotFound) {
		return true, nil
	}
	return false, fmt.Errorf("check session %s in the source after copying it (the copy was deleted again): %w", shortID(id), err)
}

// live is storekit.Live, which the core cannot import: now strictly before
// expiresAt.
func live(expiresAt, now time.Time) bool { return now.Before(expiresAt) }

// shortID abbreviates a session ID for an error message: enough to find it,
// not a wall of hex.
func shortID(id string) string {
	if len(id) > 16 {
		return fmt.Sprintf("%q...", id[:16])
	}
	return fmt.Sprintf("%q", id)
}
