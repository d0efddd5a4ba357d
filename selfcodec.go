package narvik

import (
	"errors"
	"fmt"
)

// DataMarshaler is implemented by session data that encodes itself, the
// fastest way to keep data in a session: no reflection, and no allocation
// beyond what the type's own fields need. When *D implements both
// DataMarshaler and DataUnmarshaler and no WithCodec option is given, New
// uses these methods instead of JSON (see docs/benchmarks.md, "Session data
// codecs", for the numbers).
//
// AppendSessionData appends the encoding of the value to b and returns the
// extended slice, like encoding.BinaryAppender.
//
// The encoding is the type's own and must stay readable by every later
// version of the type for as long as sessions live: a field added or
// removed must not make stored sessions fail to decode. A sequence of
// (tag, length, value) fields whose decoder skips unknown tags and leaves
// missing ones at zero does that.
type DataMarshaler interface {
	AppendSessionData(b []byte) ([]byte, error)
}

// DataUnmarshaler is the decoding half of DataMarshaler.
// UnmarshalSessionData decodes data, which comes from a store and must be
// treated as untrusted: it returns an error, never panics, on any input. It
// must neither modify data nor keep it (or any part of it) after returning:
// stores hand the same bytes to every caller. Strings made from data are
// copies, so they are fine to keep.
type DataUnmarshaler interface {
	UnmarshalSessionData(data []byte) error
}

// selfEncoded is the first byte of data that a DataMarshaler encoded. JSON
// text never starts with it (only with whitespace, '{', '[', '"', '-', a
// digit, 't', 'f' or 'n'), so sessions stored as JSON before the type
// gained its methods still decode: whatever does not start with this byte
// goes to encoding/json.
const selfEncoded = 0x01

// errNotSelfEncoding means D stopped implementing the methods that wrote a
// stored value; the value cannot be decoded any more.
var errNotSelfEncoding = errors.New("data was written by DataMarshaler, which the type no longer implements")

// dataCodec is how a Narvik[D] encodes and decodes its data: a Codec, or
// D's own methods.
type dataCodec[D any] struct {
	codec Codec
	self  bool // *D implements DataMarshaler and DataUnmarshaler, and no codec was set
}

func newDataCodec[D any](c *config) dataCodec[D] {
	if !c.codecSet {
		if _, ok := any((*D)(nil)).(interface {
			DataMarshaler
			DataUnmarshaler
		}); ok {
			return dataCodec[D]{codec: JSONCodec{}, self: true}
		}
	}
	return dataCodec[D]{codec: c.codec}
}

// marshal encodes data for the store.
func (dc dataCodec[D]) marshal(data *D) ([]byte, error) {
	if !dc.self {
		return dc.codec.Marshal(*data)
	}
	b, err := any(data).(DataMarshaler).AppendSessionData(append(make([]byte, 0, 128), selfEncoded))
	if err != nil {
		return nil, err
	}
	if len(b) == 0 || b[0] != selfEncoded {
		return nil, fmt.Errorf("AppendSessionData of %T changed the bytes before the ones it appends", *data)
	}
	return b, nil
}

// unmarshal decodes stored data into *data. With D's own methods, data
// without the selfEncoded mark is JSON from before D had them.
func (dc dataCodec[D]) unmarshal(b []byte, data *D) error {
	if dc.self && len(b) > 0 && b[0] == selfEncoded {
		return any(data).(DataUnmarshaler).UnmarshalSessionData(b[1:])
	}
	if !dc.self && len(b) > 0 && b[0] == selfEncoded {
		if _, isJSON := dc.codec.(JSONCodec); isJSON {
			return errNotSelfEncoding
		}
	}
	return dc.codec.Unmarshal(b, data)
}
