package boltstore

import (
	"bytes"
	"context"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/narvik-go/narvik/storekit"
)

// expiredBatch is how many expired records DeleteAllExpiredSessions removes
// per write transaction. Batches bound the memory and the lock hold time of
// one cleanup, and let a cancelled context stop a long one between commits.
const expiredBatch = 1000

// DeleteAllExpiredSessions removes every record that expired at or before
// the time of the call, with its index entries, and returns how many it
// removed. It walks the expiry index from its start and stops at the first
// live entry, so it costs O(expired), not O(all); records are removed in
// batches of up to 1,000 per transaction. On error (or cancellation between
// batches) the count of records removed so far is returned with it.
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	const op = "boltstore: delete expired sessions"
	if err := s.check(op); err != nil {
		return 0, err
	}
	limit := expiryTime(time.Now().UnixMilli())
	// A read transaction first: an idle cleanup must not pay for a write
	// transaction (and its fsync) that finds nothing to do.
	due, err := s.anyExpired(limit)
	if err != nil || !due {
		return 0, storekit.Wrap(ctx, op, err)
	}
	total := 0
	for {
		n, more, err := s.deleteExpiredBatch(limit)
		total += n
		if err != nil || !more {
			return total, storekit.Wrap(ctx, op, err)
		}
		// Between two commits: a long cleanup stops here when its context
		// ends (or the store was closed), keeping what it removed.
		if err := ctx.Err(); err != nil {
			return total, storekit.Wrap(ctx, op, err)
		}
		if err := s.check(op); err != nil {
			return total, err
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
