package cborcodec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"

	"github.com/narvik-go/narvik"
)

// magic is the self-described CBOR tag (55799) that starts every value the
// codec writes: valid CBOR that decoders skip, and never the start of JSON.
var magic = []byte{0xd9, 0xd9, 0xf7}

// Codec encodes session data as CBOR and decodes CBOR, or JSON written
// before the switch. It is safe for concurrent use.
type Codec struct {
	enc cbor.UserBufferEncMode
	dec cbor.DecMode
}

var _ narvik.Codec = (*Codec)(nil)

// New returns the codec.
func New() *Codec {
	enc, err := cbor.EncOptions{
		Time:          cbor.TimeRFC3339Nano,
		TextMarshaler: cbor.TextMarshalerTextString,
	}.UserBufferEncMode()
	if err != nil {
		panic(fmt.Sprintf("cborcodec: encoding options: %v", err)) // constant options: a bug, caught by the tests
	}
	dec, err := cbor.DecOptions{
		DefaultMapType:  reflect.TypeFor[map[string]any](),
		TextUnmarshaler: cbor.TextUnmarshalerTextString,
	}.DecMode()
	if err != nil {
		panic(fmt.Sprintf("cborcodec: decoding options: %v", err))
	}
	return &Codec{enc: enc, dec: dec}
}

// Marshal encodes v as CBOR after the self-described CBOR tag.
func (c *Codec) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(256)
	buf.Write(magic)
	if err := c.enc.MarshalToBuffer(v, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unmarshal decodes data into v: CBOR when data starts with the
// self-described CBOR tag, JSON otherwise (sessions stored before the
// switch). It keeps no part of data.
func (c *Codec) Unmarshal(data []byte, v any) error {
	if rest, ok := bytes.CutPrefix(data, magic); ok {
		return c.dec.Unmarshal(rest, v)
	}
	return json.Unmarshal(data, v)
}
