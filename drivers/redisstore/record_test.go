package redisstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
)

// corruptValues are stored values this package did not write. The user-ID
// lengths near 2^31 and 2^32 overflow an int on 32-bit platforms, where the
// decoder once sliced out of range and panicked.
func corruptValues() map[string]string {
	header := func(userLen uint32, rest string) string {
		b := make([]byte, headerLen)
		b[0] = formatVersion
		binary.BigEndian.PutUint32(b[offUserLen:], userLen)
		return string(b) + rest
	}
	return map[string]string{
		"empty":                  "",
		"short":                  "x",
		"wrong version":          "\x02" + strings.Repeat("\x00", 30),
		"header only, len 1":     header(1, ""),
		"user length 2^32-1":     header(0xFFFFFFFF, "abc"),
		"user length 2^31":       header(0x80000000, "abc"),
		"user length 2^31-1":     header(0x7FFFFFFF, "abc"),
		"user length 2^31+21":    header(0x80000015, "abc"),
		"user not base64url":     header(3, "a b"),
		"user not canonical":     header(7, "YWxpY2V"),
		"user with a line break": header(5, "YW\nxp"),
		"user with CR LF":        header(6, "YWxp\r\n"),
		"user padded":            header(4, "YQ=="),
		"all 0xff after header":  "\x01" + strings.Repeat("\xff", 30),
	}
}

// TestDecodeRecord: corrupt values give an error wrapping ErrCorruptRecord
// and narvik.ErrBadRecord and never panic, on 64-bit and 32-bit platforms
// alike (run it with GOARCH=386 or GOARCH=arm too); what encodeRecord
// writes decodes to the same record.
func TestDecodeRecord(t *testing.T) {
	for name, v := range corruptValues() {
		r, _, err := decodeRecord("id", []byte(v))
		if !errors.Is(err, ErrCorruptRecord) || !errors.Is(err, narvik.ErrBadRecord) {
			t.Errorf("%s: decodeRecord = %+v, %v; want an error wrapping ErrCorruptRecord and narvik.ErrBadRecord", name, r, err)
		}
	}
	now := time.UnixMilli(1_700_000_000_123)
	for _, want := range []narvik.Record{
		{ID: "id", UserID: "alice", ExpiresAt: now.Add(time.Hour), CreatedAt: now, Data: []byte("data")},
		{ID: "id", UserID: "", ExpiresAt: now, CreatedAt: now},
		{ID: "id", UserID: "a\x00b:{c}", ExpiresAt: time.UnixMilli(-1), CreatedAt: time.UnixMilli(0), Data: bytes.Repeat([]byte{0xff}, 1000)},
	} {
		enc := encodeUser(want.UserID)
		got, owner, err := decodeRecord(want.ID, encodeRecord(want, enc))
		if err != nil || string(owner) != enc || got.ID != want.ID || got.UserID != want.UserID ||
			!got.ExpiresAt.Equal(want.ExpiresAt) || !got.CreatedAt.Equal(want.CreatedAt) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("round trip of %+v = %+v, owner %q, %v", want, got, owner, err)
		}
		if cap(got.Data) != len(got.Data) {
			t.Errorf("Data of %d bytes has capacity %d: an append would write into the value", len(got.Data), cap(got.Data))
		}
	}
}

// FuzzDecodeRecord: no value makes the decoder panic, and every value it
// accepts is exactly what encodeRecord writes for the record it returns, so
// nothing the package did not write passes for a session.
func FuzzDecodeRecord(f *testing.F) {
	for _, v := range corruptValues() {
		f.Add(v)
	}
	now := time.UnixMilli(1_700_000_000_123)
	for _, user := range []string{"alice", "", "a\x00b:{c}", "ünï"} {
		r := narvik.Record{UserID: user, ExpiresAt: now.Add(time.Hour), CreatedAt: now, Data: []byte("data")}
		f.Add(string(encodeRecord(r, encodeUser(user))))
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, owner, err := decodeRecord("id", []byte(v))
		if err != nil {
			if !errors.Is(err, narvik.ErrBadRecord) {
				t.Fatalf("decodeRecord(%q) = %v, want an error wrapping narvik.ErrBadRecord", v, err)
			}
			return
		}
		if string(owner) != encodeUser(r.UserID) {
			t.Fatalf("decodeRecord(%q): owner %q is not the encoding of user %q", v, owner, r.UserID)
		}
		if again := string(encodeRecord(r, string(owner))); again != v {
			t.Fatalf("decodeRecord(%q) accepted a value encodeRecord does not write: it writes %q for that record", v, again)
		}
	})
}
