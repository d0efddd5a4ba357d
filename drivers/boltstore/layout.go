package boltstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// recordVersion is the first byte of every encoded record. A value with any
// other first byte is reported as ErrCorrupt rather than guessed at.
const recordVersion = 1

// fixedLen is the size of the two timestamps in an encoded record.
const fixedLen = 16

// encodeRecord returns the value stored under the session ID:
//
//	version byte (1)
//	uvarint len(UserID), UserID
//	ExpiresAt as int64 Unix milliseconds, big-endian
//	CreatedAt as int64 Unix milliseconds, big-endian
//	Data (the rest of the value)
//
// The ID is the key, so it is not repeated. The result is a fresh slice that
// does not alias r.Data.
func encodeRecord(r narvik.Record) []byte {
	buf := make([]byte, 0, 1+binary.MaxVarintLen64+len(r.UserID)+fixedLen+len(r.Data))
	buf = append(buf, recordVersion)
	buf = binary.AppendUvarint(buf, uint64(len(r.UserID)))
	buf = append(buf, r.UserID...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(r.ExpiresAt.UnixMilli()))
	buf = binary.BigEndian.AppendUint64(buf, uint64(r.CreatedAt.UnixMilli()))
	return append(buf, r.Data...)
}

// header is the part of an encoded record that the indexes need, decoded
// without copying: userID aliases the value and is valid only inside the
// transaction that read it.
type header struct {
	userID    []byte
	expiresMs int64
	createdMs int64
	data      []byte // aliases the value too
}

// decodeHeader parses an encoded record. It never panics: a value that is
// short, has an unknown version or a length that runs past its end gives an
// error wrapping ErrCorrupt.
func decodeHeader(v []byte) (header, error) {
	if len(v) == 0 {
		return header{}, fmt.Errorf("%w: empty record", ErrCorrupt)
	}
	if v[0] != recordVersion {
		return header{}, fmt.Errorf("%w: unknown record version %d", ErrCorrupt, v[0])
	}
	rest := v[1:]
	n, k := binary.Uvarint(rest)
	if k <= 0 {
		return header{}, fmt.Errorf("%w: bad user ID length", ErrCorrupt)
	}
	rest = rest[k:]
	if n > uint64(len(rest)) || uint64(len(rest))-n < fixedLen {
		return header{}, fmt.Errorf("%w: record of %d bytes is too short for a user ID of %d bytes", ErrCorrupt, len(v), n)
	}
	h := header{userID: rest[:n]}
	rest = rest[n:]
	h.expiresMs = int64(binary.BigEndian.Uint64(rest))
	h.createdMs = int64(binary.BigEndian.Uint64(rest[8:]))
	h.data = rest[fixedLen:]
	return h, nil
}

// record turns a decoded header into a Record that owns all of its memory, so
// it stays valid after the transaction ends. bbolt's values point into its
// memory map, which is remapped or unmapped once the transaction is over.
func (h header) record(id string) narvik.Record {
	r := narvik.Record{
		ID:        id,
		UserID:    string(h.userID),
		ExpiresAt: time.UnixMilli(h.expiresMs),
		CreatedAt: time.UnixMilli(h.createdMs),
	}
	if len(h.data) > 0 {
		r.Data = bytes.Clone(h.data)
	}
	return r
}

// live reports whether the record is live at now, in storekit.Live's one
// meaning. expiresMs is whole milliseconds, so the answer is the same as
// with the expiry the caller saved, finer precision aside.
func (h header) live(now time.Time) bool {
	return storekit.Live(time.UnixMilli(h.expiresMs), now)
}

// userPrefix returns uvarint(len(userID)) || userID, the prefix of every key
// of the user in the users bucket. A uvarint is self-delimiting, so the
// prefixes of two different user IDs are never prefixes of each other, even
// when one ID is a prefix of the other or contains NUL bytes.
func userPrefix(userID []byte) []byte {
	p := make([]byte, 0, binary.MaxVarintLen64+len(userID))
	p = binary.AppendUvarint(p, uint64(len(userID)))
	return append(p, userID...)
}

// userKey returns the users-bucket key for one session of a user.
func userKey(userID, id []byte) []byte {
	return append(userPrefix(userID), id...)
}

// expiryTimeLen is the size of the time part of an expiry-bucket key.
const expiryTimeLen = 8

// expiryTime encodes Unix milliseconds so that byte order is time order:
// big-endian with the sign bit flipped, so negative times (before 1970) sort
// before positive ones.
func expiryTime(ms int64) [expiryTimeLen]byte {
	var b [expiryTimeLen]byte
	binary.BigEndian.PutUint64(b[:], uint64(ms)^(1<<63))
	return b
}

// expiryKey returns the expiry-bucket key of a session: its expiry time,
// then its ID.
func expiryKey(ms int64, id []byte) []byte {
	t := expiryTime(ms)
	k := make([]byte, 0, expiryTimeLen+len(id))
	k = append(k, t[:]...)
	return append(k, id...)
}

// parseExpiryKey splits an expiry-bucket key. ok is false for a key too short
// to hold a time and an ID.
func parseExpiryKey(k []byte) (ms int64, id []byte, ok bool) {
	if len(k) <= expiryTimeLen {
		return 0, nil, false
	}
	return int64(binary.BigEndian.Uint64(k) ^ (1 << 63)), k[expiryTimeLen:], true
}
