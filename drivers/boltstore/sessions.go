package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
	bolt "go.etcd.io/bbolt"
)

// empty is the value of every index entry: the key says it all.
var empty = []byte{}

// expiredBatch is how many expired records DeleteAllExpiredSessions removes
// per write transaction. Batches bound the memory and the lock hold time of
// one cleanup, and let a cancelled context stop a long one between commits.
const expiredBatch = 1000

// ctxCheckEvery is how often long cursor walks look at the context.
const ctxCheckEvery = 256

// check returns the error every method gives before touching the database:
// the context's, or ErrClosed.
func (s *Store) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %s: %w", op, err)
	}
	if s.closed.Load() {
		return fmt.Errorf("boltstore: %s: %w", op, ErrClosed)
	}
	return nil
}

// wrap prefixes a failure with the operation, keeping the store's sentinel
// errors bare so the hot paths do not allocate.
func wrap(op string, err error) error {
	if err == nil || errors.Is(err, narvik.ErrSessionNotFound) || errors.Is(err, narvik.ErrDuplicateSession) {
		return err
	}
	return fmt.Errorf("boltstore: %s: %w", op, err)
}

// SaveSession stores r unless a record with its ID exists, expired or not,
// in which case it returns narvik.ErrDuplicateSession and changes nothing.
// The record and its two index entries are written in one transaction, which
// is committed and fsynced before SaveSession returns.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	const op = "save session"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if r.ID == "" {
		return fmt.Errorf("boltstore: %s: empty session ID", op)
	}
	id := []byte(r.ID)
	value := encodeRecord(r)
	uk := userKey([]byte(r.UserID), id)
	ek := expiryKey(r.ExpiresAt.UnixMilli(), id)
	return wrap(op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		if b.sessions.Get(id) != nil {
			return narvik.ErrDuplicateSession
		}
		if err := b.sessions.Put(id, value); err != nil {
			return err
		}
		if err := b.users.Put(uk, empty); err != nil {
			return err
		}
		return b.expiry.Put(ek, empty)
	}))
}

// FetchSession returns the record with this ID, or narvik.ErrSessionNotFound
// when it is missing or its ExpiresAt is at or before now. A stored value
// that does not decode gives an error wrapping ErrCorrupt, never a record.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	const op = "fetch session"
	if err := s.check(ctx, op); err != nil {
		return narvik.Record{}, err
	}
	key := []byte(id)
	var r narvik.Record
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		v := b.sessions.Get(key)
		if v == nil {
			return narvik.ErrSessionNotFound
		}
		h, err := decodeHeader(v)
		if err != nil {
			return fmt.Errorf("session %q: %w", id, err)
		}
		if !live(h.expiresMs, time.Now().UnixMilli()) {
			return narvik.ErrSessionNotFound
		}
		r = h.record(key) // copies out of bbolt's memory
		return nil
	})
	if err != nil {
		return narvik.Record{}, wrap(op, err)
	}
	return r, nil
}

// UpdateSessionExpiry sets the expiry of a live record and moves its entry in
// the expiry index, in one transaction. A missing or expired record gives
// narvik.ErrSessionNotFound and nothing is written: an update never creates
// a record.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "update session expiry"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	key := []byte(id)
	newMs := expiresAt.UnixMilli()
	return wrap(op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		v := b.sessions.Get(key)
		if v == nil {
			return narvik.ErrSessionNotFound
		}
		h, err := decodeHeader(v)
		if err != nil {
			return fmt.Errorf("session %q: %w", id, err)
		}
		if !live(h.expiresMs, time.Now().UnixMilli()) {
			return narvik.ErrSessionNotFound
		}
		if h.expiresMs == newMs {
			return nil
		}
		// Build everything from v before the first write: v points into
		// bbolt's pages and must not be relied on once the bucket changes.
		value := bytes.Clone(v)
		binary.BigEndian.PutUint64(value[len(v)-len(h.data)-fixedLen:], uint64(newMs))
		oldKey := expiryKey(h.expiresMs, key)
		newKey := expiryKey(newMs, key)
		if err := b.sessions.Put(key, value); err != nil {
			return err
		}
		if err := b.expiry.Delete(oldKey); err != nil {
			return err
		}
		return b.expiry.Put(newKey, empty)
	}))
}

// DeleteSession removes the record and its index entries. A missing record
// is not an error. A record whose value is corrupt is removed too; its index
// entries cannot be found without the value and are left dangling, which
// readers ignore and later deletions clean up (see doc.go).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	const op = "delete session"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	key := []byte(id)
	return wrap(op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		v := b.sessions.Get(key)
		if v == nil {
			return nil
		}
		if h, err := decodeHeader(v); err == nil {
			uk := userKey(h.userID, key)
			ek := expiryKey(h.expiresMs, key)
			if err := b.users.Delete(uk); err != nil {
				return err
			}
			if err := b.expiry.Delete(ek); err != nil {
				return err
			}
		}
		return b.sessions.Delete(key)
	}))
}

// FetchSessionsForUser returns every live record of the user, in session ID
// order, from one read transaction. It walks only the user's entries in the
// users index: O(that user's sessions), whatever the size of the database.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	const op = "fetch sessions for user"
	if err := s.check(ctx, op); err != nil {
		return nil, err
	}
	uid := []byte(userID)
	prefix := userPrefix(uid)
	var out []narvik.Record
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		nowMs := time.Now().UnixMilli()
		c := b.users.Cursor()
		i := 0
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if i++; i%ctxCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			id := k[len(prefix):]
			v := b.sessions.Get(id)
			if v == nil {
				continue // dangling entry of a deleted corrupt record
			}
			h, err := decodeHeader(v)
			if err != nil {
				return fmt.Errorf("session %q of user %q: %w", id, userID, err)
			}
			if !bytes.Equal(h.userID, uid) || !live(h.expiresMs, nowMs) {
				continue // dangling entry whose ID was reused, or expired
			}
			out = append(out, h.record(id))
		}
		return nil
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// DeleteSessionsForUser removes every record of the user and their index
// entries in one transaction: either all of the user's sessions are gone or,
// on error, none is. O(that user's sessions).
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	const op = "delete sessions for user"
	if err := s.check(ctx, op); err != nil {
		return err
	}
	uid := []byte(userID)
	prefix := userPrefix(uid)
	return wrap(op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		// Collect first: a cursor must not walk a bucket that is being
		// changed under it, and its keys are only valid until then.
		var keys [][]byte
		c := b.users.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			if len(keys)%ctxCheckEvery == ctxCheckEvery-1 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			keys = append(keys, bytes.Clone(k))
		}
		for _, uk := range keys {
			id := uk[len(prefix):]
			if err := deleteIndexed(b, id, func(h header) bool { return bytes.Equal(h.userID, uid) }); err != nil {
				return err
			}
			if err := b.users.Delete(uk); err != nil {
				return err
			}
		}
		return nil
	}))
}

// deleteIndexed deletes the record an index entry names, when the record
// still agrees with the entry (matches) and, for a readable record, its
// entry in the expiry index. A record that does not agree belongs to a later
// session that reused the ID of a deleted one; it is left alone. A corrupt
// record is deleted: the index entry is the only evidence left and it says
// the record is to go.
func deleteIndexed(b buckets, id []byte, matches func(header) bool) error {
	v := b.sessions.Get(id)
	if v == nil {
		return nil
	}
	h, err := decodeHeader(v)
	if err == nil {
		if !matches(h) {
			return nil
		}
		if err := b.expiry.Delete(expiryKey(h.expiresMs, id)); err != nil {
			return err
		}
	}
	return b.sessions.Delete(id)
}

// DeleteAllExpiredSessions removes every record that expired at or before
// the time of the call, with its index entries, and returns how many it
// removed. It walks the expiry index from its start and stops at the first
// live entry, so it costs O(expired), not O(all); records are removed in
// batches of up to 1,000 per transaction. On error (or cancellation between
// batches) the count of records removed so far is returned with it.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	const op = "delete expired sessions"
	limit := expiryTime(time.Now().UnixMilli())
	total := 0
	for {
		if err := s.check(ctx, op); err != nil {
			return total, err
		}
		// A read transaction first: an idle cleanup must not pay for a
		// write transaction (and its fsync) that finds nothing to do.
		due, err := s.anyExpired(limit)
		if err != nil || !due {
			return total, wrap(op, err)
		}
		n, more, err := s.deleteExpiredBatch(limit)
		total += n
		if err != nil || !more {
			return total, wrap(op, err)
		}
	}
}

// expiredUpTo reports whether an expiry-index key lies at or before limit.
func expiredUpTo(k []byte, limit [expiryTimeLen]byte) bool {
	return k != nil && bytes.Compare(k[:min(len(k), expiryTimeLen)], limit[:]) <= 0
}

// anyExpired reports whether the expiry index starts with an entry at or
// before limit.
func (s *Store) anyExpired(limit [expiryTimeLen]byte) (bool, error) {
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		k, _ := b.expiry.Cursor().First()
		found = expiredUpTo(k, limit)
		return nil
	})
	return found, err
}

// deleteExpiredBatch removes up to expiredBatch expired records in one
// transaction and reports how many it removed and whether more are due.
func (s *Store) deleteExpiredBatch(limit [expiryTimeLen]byte) (removed int, more bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		var keys [][]byte
		c := b.expiry.Cursor()
		k, _ := c.First()
		for ; expiredUpTo(k, limit) && len(keys) < expiredBatch; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		more = expiredUpTo(k, limit)
		removed = 0
		for _, ek := range keys {
			n, err := removeExpired(b, ek)
			if err != nil {
				return err
			}
			removed += n
		}
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return removed, more, nil
}

// removeExpired removes one expiry-index entry and, when the record it names
// agrees that it expired then, the record and its users-index entry. It
// returns the number of records removed (0 or 1). A corrupt record is
// removed too: the index says it expired.
func removeExpired(b buckets, ek []byte) (int, error) {
	ms, id, ok := parseExpiryKey(ek)
	if ok {
		if v := b.sessions.Get(id); v != nil {
			h, err := decodeHeader(v)
			switch {
			case err != nil:
				if err := b.sessions.Delete(id); err != nil {
					return 0, err
				}
				return 1, b.expiry.Delete(ek)
			case h.expiresMs == ms:
				uk := userKey(h.userID, id)
				if err := b.users.Delete(uk); err != nil {
					return 0, err
				}
				if err := b.sessions.Delete(id); err != nil {
					return 0, err
				}
				return 1, b.expiry.Delete(ek)
			}
		}
	}
	// A malformed key, or an entry whose record is gone or now expires at
	// another time: drop the entry alone.
	return 0, b.expiry.Delete(ek)
}
