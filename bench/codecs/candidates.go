// Package codecs compares ways to encode narvik session data on the
// benchmarks' session (conformance.BenchData, 215 bytes of JSON): the
// standard library's JSON (v1, and v2 where the toolchain has it), CBOR
// (cborcodec, over fxamacker/cbor), MessagePack (vmihailenco/msgpack) and
// a type encoding itself (conformance.BenchBinaryData, narvik.DataMarshaler).
// Its benchmarks, tests and fuzz target are the numbers behind the codec
// section of docs/benchmarks.md.
package codecs

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/narvik-go/narvik/codecs/cborcodec"
	"github.com/narvik-go/narvik/conformance"
)

// Codec is one candidate: what narvik.Codec asks.
type Codec struct {
	Name      string
	Marshal   func(v any) ([]byte, error)
	Unmarshal func(data []byte, v any) error
	// KeepsZone is whether times come back with their zone offset.
	KeepsZone bool
}

// Candidates returns every codec of the comparison that this build has
// (encoding/json/v2 only under GOEXPERIMENT=jsonv2, where encoding/json
// runs on the same implementation and is named accordingly).
func Candidates() []Codec {
	cbor := cborcodec.New()
	all := []Codec{
		{jsonName, json.Marshal, json.Unmarshal, true},
		{"cborcodec", cbor.Marshal, cbor.Unmarshal, true},
		{"msgpack", msgpackMarshal, msgpackUnmarshal, false},
		{"DataMarshaler", selfMarshal, selfUnmarshal, true},
	}
	return append(all, jsonV2()...)
}

// msgpack with the json tags, so both name fields alike. It decodes times
// in the local zone: the offset they were written with is lost.
func msgpackMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(&buf)
	enc.SetCustomStructTag("json")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func msgpackUnmarshal(data []byte, v any) error {
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	dec.Reset(bytes.NewReader(data))
	dec.SetCustomStructTag("json")
	return dec.Decode(v)
}

// selfMarshal and selfUnmarshal call BenchBinaryData's own methods, as
// narvik does for a type that implements narvik.DataMarshaler (without the
// one byte narvik puts in front).
func selfMarshal(v any) ([]byte, error) {
	return conformance.BenchBinaryData(v.(conformance.BenchData)).AppendSessionData(nil)
}

func selfUnmarshal(data []byte, v any) error {
	return (*conformance.BenchBinaryData)(v.(*conformance.BenchData)).UnmarshalSessionData(data)
}

// Distinct returns n encodings by c of sessions that differ in their IP and
// user agent, as the sessions of different users do: a decoder that caches
// strings (encoding/json/v2 does) gains nothing it would not gain in
// production.
func Distinct(c Codec, n int) ([][]byte, error) {
	out := make([][]byte, n)
	for i := range out {
		d := conformance.BenchSample
		d.IP = fmt.Sprintf("198.51.%d.%d", i/256, i%256)
		d.UserAgent = fmt.Sprintf("%s.%d", d.UserAgent, i)
		var err error
		if out[i], err = c.Marshal(d); err != nil {
			return nil, err
		}
	}
	return out, nil
}
