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

// strictUser decodes what userEncoding writes and refuses non-zero padding
// bits, so that one user ID has one accepted spelling (see decodeUser).
var strictUser = userEncoding.Strict()

// encodeUser returns the key-safe form of a user ID.
func encodeUser(userID string) string { return userEncoding.EncodeToString([]byte(userID)) }

// decodeUser decodes enc into dst (grown when too small) and reports
// whether enc is the canonical encoding of the result, the one encodeUser
// writes: the scripts compare owners byte for byte, so another spelling of
// the same user would be a session no index operation could reach. Strict
// decoding refuses the other spellings of the last character (non-zero
// padding bits), and '=' is not in an unpadded alphabet; the decoder skips
// '\r' and '\n', which the length check catches, as the canonical encoding
// of m bytes is EncodedLen(m) long.
func decodeUser(dst, enc []byte) ([]byte, bool) {
	n := strictUser.DecodedLen(len(enc))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	m, err := strictUser.Decode(dst[:n], enc)
	return dst[:m], err == nil && userEncoding.EncodedLen(m) == len(enc)
}

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

// decodeRecord parses a stored value and returns the record and its owner
// (the encoded user ID). Data and the owner are subslices of v, not copies:
// v must be a buffer that nobody changes afterwards, such as a reply the
// client allocated for this one command (the store contract says nobody
// modifies Data once handed over). It allocates only the user ID string.
func decodeRecord(id string, v []byte) (narvik.Record, []byte, error) {
	if len(v) < headerLen || v[0] != formatVersion {
		return narvik.Record{}, nil, corrupt(id, "%d bytes, not a version %d value", len(v), formatVersion)
	}
	// Compared as uint64 before any conversion: on a 32-bit platform
	// int(2^31 or more) is negative, passes a bounds check and panics in the
	// slice expression.
	n32 := binary.BigEndian.Uint32(v[offUserLen:headerLen])
	if uint64(n32) > uint64(len(v)-headerLen) {
		return narvik.Record{}, nil, corrupt(id, "user ID length %d exceeds the value", n32)
	}
	end := headerLen + int(n32)
	encUser := v[headerLen:end]
	// Decoded on the stack: most user IDs (UUIDs, e-mail addresses) fit.
	var buf [64]byte
	user, ok := decodeUser(buf[:0], encUser)
	if !ok {
		return narvik.Record{}, nil, corrupt(id, "user ID %q is not in canonical base64url", encUser)
	}
	r := narvik.Record{
		ID:        id,
		UserID:    string(user),
		ExpiresAt: time.UnixMilli(int64(binary.BigEndian.Uint64(v[offExpires:offCreated]))),
		CreatedAt: time.UnixMilli(int64(binary.BigEndian.Uint64(v[offCreated:offUserLen]))),
	}
	if end < len(v) {
		// Capped, so that an append to Data could never write into v.
		r.Data = v[end:len(v):len(v)]
	}
	return r, encUser, nil
}
