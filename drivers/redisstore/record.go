package redisstore

import (
	"encoding/base64"
	"encoding/binary"
	"time"

	"github.com/narvik-go/narvik"
)

// The session value is one Redis string, so FetchSession is a single GET and
// the reply is one bulk string (one allocation to read it):
//
//	offset  size  field
//	0       1     format version (1)
//	1       8     ExpiresAt, Unix milliseconds, int64 big-endian
//	9       8     CreatedAt, Unix milliseconds, int64 big-endian
//	17      4     n = length of the encoded user ID, uint32 big-endian
//	21      n     the user ID, base64url without padding (the index key suffix)
//	21+n    ...   Data, raw bytes
//
// Fixed offsets let the Lua scripts work on the value without a decoder:
// UpdateSessionExpiry overwrites bytes 1-8 with SETRANGE (no copy of Data),
// and the scripts read the owner with one GETRANGE. The user ID is stored in
// its key-safe encoding so that a script builds the owner's index key by
// concatenation, and an ownership check is a byte comparison of bytes
// 17..20+n against the expected length and encoding.
const (
	formatVersion = 1
	offExpires    = 1
	offCreated    = 9
	offUserLen    = 17
	headerLen     = 21
)

// userEncoding maps any user ID to [A-Za-z0-9_-]: no ':', '{', '}', '*',
// space or NUL can reach a key, and distinct user IDs never share a key.
var userEncoding = base64.RawURLEncoding

// encodeUser returns the key-safe form of a user ID.
func encodeUser(userID string) string { return userEncoding.EncodeToString([]byte(userID)) }

// ownerField returns bytes 17.. of a value owned by encUser: the length and
// the encoded user ID. Comparing it with GETRANGE checks ownership exactly
// (the length prefix stops "ab" from matching "abc").
func ownerField(encUser string) string {
	b := make([]byte, 4, 4+len(encUser))
	binary.BigEndian.PutUint32(b, uint32(len(encUser)))
	return string(append(b, encUser...))
}

// encodeRecord returns the stored value of r.
func encodeRecord(r narvik.Record, encUser string) []byte {
	b := make([]byte, headerLen, headerLen+len(encUser)+len(r.Data))
	b[0] = formatVersion
	binary.BigEndian.PutUint64(b[offExpires:], uint64(r.ExpiresAt.UnixMilli()))
	binary.BigEndian.PutUint64(b[offCreated:], uint64(r.CreatedAt.UnixMilli()))
	binary.BigEndian.PutUint32(b[offUserLen:], uint32(len(encUser)))
	b = append(b, encUser...)
	return append(b, r.Data...)
}

// expiresBytes returns the 8 bytes that UpdateSessionExpiry writes at offset 1.
func expiresBytes(t time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(t.UnixMilli()))
	return string(b[:])
}

// decodeRecord parses a stored value. Data is copied out of v.
func decodeRecord(id, v string) (narvik.Record, string, error) {
	if len(v) < headerLen || v[0] != formatVersion {
		return narvik.Record{}, "", corrupt(id, "%d bytes, not a version %d value", len(v), formatVersion)
	}
	// Compared as uint64 before any conversion: on a 32-bit platform
	// int(2^31 or more) is negative, passes a bounds check and panics in the
	// slice expression.
	n32 := binary.BigEndian.Uint32([]byte(v[offUserLen:headerLen]))
	if uint64(n32) > uint64(len(v)-headerLen) {
		return narvik.Record{}, "", corrupt(id, "user ID length %d exceeds the value", n32)
	}
	n := int(n32)
	encUser := v[headerLen : headerLen+n]
	user, err := userEncoding.DecodeString(encUser)
	if err != nil {
		return narvik.Record{}, "", corrupt(id, "user ID: %v", err)
	}
	// Only the canonical encoding is ours: the scripts compare owners byte
	// for byte, so another spelling of the same user would be a session no
	// index operation could reach.
	if encodeUser(string(user)) != encUser {
		return narvik.Record{}, "", corrupt(id, "user ID %q is not in canonical base64url", encUser)
	}
	r := narvik.Record{
		ID:        id,
		UserID:    string(user),
		ExpiresAt: time.UnixMilli(int64(binary.BigEndian.Uint64([]byte(v[offExpires:offCreated])))),
		CreatedAt: time.UnixMilli(int64(binary.BigEndian.Uint64([]byte(v[offCreated:offUserLen])))),
	}
	if data := v[headerLen+n:]; data != "" {
		r.Data = []byte(data)
	}
	return r, encUser, nil
}
