package conformance

import (
	"encoding/binary"
	"errors"
	"time"
)

// BenchData is the session data the benchmarks store: what a web app
// keeps, the browser and address a user signed in from, a few flags and the
// times of sensitive steps. It has no methods, so narvik encodes it as
// JSON, 215 bytes for BenchSample.
type BenchData struct {
	UserAgent  string    `json:"ua"`
	IP         string    `json:"ip"`
	MFA        bool      `json:"mfa"`
	Remember   bool      `json:"remember"`
	Admin      bool      `json:"admin"`
	SignedInAt time.Time `json:"signedInAt"`
	MFAAt      time.Time `json:"mfaAt"`
}

// BenchSample is the value the benchmarks store.
var BenchSample = BenchData{
	UserAgent:  "Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0",
	IP:         "203.0.113.42",
	MFA:        true,
	Remember:   true,
	SignedInAt: time.Date(2026, 11, 27, 9, 14, 3, 512_000_000, time.UTC),
	MFAAt:      time.Date(2026, 11, 27, 9, 14, 21, 87_000_000, time.UTC),
}

// BenchBinaryData is BenchData encoding itself (narvik.DataMarshaler and
// narvik.DataUnmarshaler): 124 bytes for BenchSample, decoded with no
// allocation but its two strings. The encoding is a sequence of fields,
// each a tag byte, a uvarint length and the value; the decoder skips tags
// it does not know and leaves missing fields at zero, so fields can be
// added and removed while sessions are stored.
type BenchBinaryData BenchData

// Field tags of BenchBinaryData's encoding.
const (
	tagUserAgent  = 1
	tagIP         = 2
	tagFlags      = 3 // bit 0 MFA, bit 1 Remember, bit 2 Admin
	tagSignedInAt = 4 // time.Time.AppendBinary
	tagMFAAt      = 5
)

var errTruncated = errors.New("conformance: BenchBinaryData: truncated field")

// AppendSessionData appends d's encoding to b.
func (d BenchBinaryData) AppendSessionData(b []byte) ([]byte, error) {
	b = appendField(b, tagUserAgent, d.UserAgent)
	b = appendField(b, tagIP, d.IP)
	var flags byte
	for bit, on := range []bool{d.MFA, d.Remember, d.Admin} {
		if on {
			flags |= 1 << bit
		}
	}
	b = append(b, tagFlags, 1, flags)
	var err error
	if b, err = appendTime(b, tagSignedInAt, d.SignedInAt); err != nil {
		return nil, err
	}
	return appendTime(b, tagMFAAt, d.MFAAt)
}

func appendField(b []byte, tag byte, v string) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendTime(b []byte, tag byte, t time.Time) ([]byte, error) {
	var buf [16]byte
	enc, err := t.AppendBinary(buf[:0])
	if err != nil {
		return nil, err
	}
	b = append(b, tag, byte(len(enc)))
	return append(b, enc...), nil
}

// UnmarshalSessionData decodes data into d; it keeps no part of data.
func (d *BenchBinaryData) UnmarshalSessionData(data []byte) error {
	*d = BenchBinaryData{}
	for len(data) > 0 {
		tag := data[0]
		n, k := binary.Uvarint(data[1:])
		if k <= 0 || n > uint64(len(data)-1-k) {
			return errTruncated
		}
		v := data[1+k : 1+k+int(n)]
		data = data[1+k+int(n):]
		switch tag {
		case tagUserAgent:
			d.UserAgent = string(v)
		case tagIP:
			d.IP = string(v)
		case tagFlags:
			if len(v) > 0 {
				d.MFA, d.Remember, d.Admin = v[0]&1 != 0, v[0]&2 != 0, v[0]&4 != 0
			}
		case tagSignedInAt:
			if err := d.SignedInAt.UnmarshalBinary(v); err != nil {
				return err
			}
		case tagMFAAt:
			if err := d.MFAAt.UnmarshalBinary(v); err != nil {
				return err
			}
		}
	}
	return nil
}
