package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// empty is the value of every index entry: the key says it all.
var empty = []byte{}

// SaveSession stores r unless a record with its ID exists, expired or not,
// in which case it returns narvik.ErrDuplicateSession and changes nothing.
// The record and its two index entries are written in one transaction, which
// is committed and fsynced before SaveSession returns.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	const op = "boltstore: save session"
	if err := s.check(op); err != nil {
		return err
	}
	e := newEntries(r)
	if err := e.storable(r); err != nil {
		return err
	}
	return storekit.Wrap(ctx, op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		return e.put(b)
	}))
}

// idBuf holds a session ID as a bbolt key on the caller's stack: []byte(id)
// would allocate, since an ID (64 bytes) is longer than the 32 bytes Go
// converts on the stack.
type idBuf [64]byte

// idKey returns id as a key in buf, or in a new slice when it does not fit.
// The key must not outlive buf's frame, and bbolt keeps no key it is given.
func idKey(buf *idBuf, id string) []byte { return append(buf[:0], id...) }

// entries are the three key/value pairs of one record, built before the
// transaction so that it holds bbolt's writer lock for as short as possible.
type entries struct {
	id, value, userKey, expiryKey []byte
}

func newEntries(r narvik.Record) entries {
	id := []byte(r.ID)
	return entries{
		id:        id,
		value:     encodeRecord(r),
		userKey:   userKey([]byte(r.UserID), id),
		expiryKey: expiryKey(r.ExpiresAt.UnixMilli(), id),
	}
}

// storable refuses, before any I/O, IDs whose keys bbolt cannot hold:
// an empty session ID, or keys past bolt.MaxKeySize (32 KiB). A long user
// ID is the caller's to choose, so it gets the typed error of an ID the
// store cannot hold exactly.
func (e entries) storable(r narvik.Record) error {
	switch {
	case len(e.id) == 0 || len(e.expiryKey) > bolt.MaxKeySize:
		return fmt.Errorf("boltstore: session ID %s: empty or longer than bbolt's keys allow: %w", storekit.Short(r.ID), narvik.ErrInvalidSessionID)
	case len(e.userKey) > bolt.MaxKeySize:
		return storekit.InvalidUserID("boltstore", r.UserID, fmt.Sprintf("%d bytes: with the session ID, longer than bbolt's keys allow (%d)", len(r.UserID), bolt.MaxKeySize))
	}
	return nil
}

// put writes the record and its index entries unless the ID is taken.
func (e entries) put(b buckets) error {
	if b.sessions.Get(e.id) != nil {
		return narvik.ErrDuplicateSession
	}
	if err := b.sessions.Put(e.id, e.value); err != nil {
		return err
	}
	if err := b.users.Put(e.userKey, empty); err != nil {
		return err
	}
	return b.expiry.Put(e.expiryKey, empty)
}

// FetchSession returns the record with this ID, or narvik.ErrSessionNotFound
// when it is missing or its ExpiresAt is at or before now. A stored value
// that does not decode gives an error wrapping ErrCorrupt, never a record.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	const op = "boltstore: fetch session"
	if err := s.check(op); err != nil {
		return narvik.Record{}, err
	}
	var buf idBuf
	key := idKey(&buf, id)
	var r narvik.Record
	err := s.db.View(func(tx *bolt.Tx) error {
		sessions, err := s.openSessions(tx)
		if err != nil {
			return err
		}
		v := sessions.Get(key)
		if v == nil {
			return narvik.ErrSessionNotFound
		}
		h, err := decodeHeader(v)
		if err != nil {
			return fmt.Errorf("session %q: %w", id, err)
		}
		if !h.live(time.Now()) {
			return narvik.ErrSessionNotFound
		}
		r = h.record(id) // copies out of bbolt's memory
		return nil
	})
	if err != nil {
		return narvik.Record{}, storekit.Wrap(ctx, op, err)
	}
	return r, nil
}

// UpdateSessionExpiry sets the expiry of a live record and moves its entry in
// the expiry index, in one transaction. A missing or expired record gives
// narvik.ErrSessionNotFound and nothing is written: an update never creates
// a record.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "boltstore: update session expiry"
	if err := s.check(op); err != nil {
		return err
	}
	var buf idBuf
	key := idKey(&buf, id)
	newMs := expiresAt.UnixMilli()
	return storekit.Wrap(ctx, op, s.db.Update(func(tx *bolt.Tx) error {
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
		if !h.live(time.Now()) {
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
	const op = "boltstore: delete session"
	if err := s.check(op); err != nil {
		return err
	}
	var buf idBuf
	key := idKey(&buf, id)
	return storekit.Wrap(ctx, op, s.db.Update(func(tx *bolt.Tx) error {
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
	const op = "boltstore: fetch sessions for user"
	if err := s.check(op); err != nil {
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
		now := time.Now()
		c := b.users.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[len(prefix):]
			v := b.sessions.Get(id)
			if v == nil {
				continue // dangling entry of a deleted corrupt record
			}
			h, err := decodeHeader(v)
			if err != nil {
				return fmt.Errorf("session %q of user %q: %w", id, userID, err)
			}
			if !bytes.Equal(h.userID, uid) || !h.live(now) {
				continue // dangling entry whose ID was reused, or expired
			}
			out = append(out, h.record(string(id)))
		}
		return nil
	})
	if err != nil {
		return nil, storekit.Wrap(ctx, op, err)
	}
	return out, nil
}

// DeleteSessionsForUser removes every record of the user and their index
// entries in one transaction: either all of the user's sessions are gone or,
// on error, none is. O(that user's sessions).
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	const op = "boltstore: delete sessions for user"
	if err := s.check(op); err != nil {
		return err
	}
	uid := []byte(userID)
	prefix := userPrefix(uid)
	return storekit.Wrap(ctx, op, s.db.Update(func(tx *bolt.Tx) error {
		b, err := s.open(tx)
		if err != nil {
			return err
		}
		// Collect first: a cursor must not walk a bucket that is being
		// changed under it, and its keys are only valid until then.
		var keys [][]byte
		c := b.users.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
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
