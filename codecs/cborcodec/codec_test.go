package cborcodec_test

import (
	"bytes"
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/codecs/cborcodec"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

var bg = context.Background()

// sameData compares two BenchData: the same instants with the same zone
// offsets, whatever their internal form.
func sameData(a, b conformance.BenchData) bool {
	sameTime := func(x, y time.Time) bool {
		_, xo := x.Zone()
		_, yo := y.Zone()
		return x.Equal(y) && xo == yo
	}
	return a.UserAgent == b.UserAgent && a.IP == b.IP && a.MFA == b.MFA && a.Remember == b.Remember && a.Admin == b.Admin &&
		sameTime(a.SignedInAt, b.SignedInAt) && sameTime(a.MFAAt, b.MFAAt)
}

// Sessions are stored as CBOR after the self-described CBOR tag and come
// back intact, times with their nanoseconds and zone.
func TestRoundTrip(t *testing.T) {
	s := memstore.New()
	auth, err := narvik.New[conformance.BenchData](s, narvik.WithCodec(cborcodec.New()))
	if err != nil {
		t.Fatal(err)
	}
	want := conformance.BenchSample
	want.MFAAt = time.Date(2026, 11, 27, 10, 14, 21, 87_654_321, time.FixedZone("CET", 3600))
	res, err := auth.CreateSession(bg, "u", want)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.FetchSession(bg, res.Session.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(r.Data, []byte{0xd9, 0xd9, 0xf7}) {
		t.Fatalf("stored % x, want the self-described CBOR tag first", r.Data[:min(8, len(r.Data))])
	}
	got, err := auth.ValidateSession(bg, res.Token)
	if err != nil || got == nil || !sameData(got.Data, want) {
		t.Fatalf("ValidateSession = %+v, %v; want data %+v", got, err, want)
	}
}

// Sessions stored as JSON by narvik's default codec still validate after
// the switch to CBOR.
func TestReadsJSONSessions(t *testing.T) {
	s := memstore.New()
	before, err := narvik.New[conformance.BenchData](s)
	if err != nil {
		t.Fatal(err)
	}
	old, err := before.CreateSession(bg, "u", conformance.BenchSample)
	if err != nil {
		t.Fatal(err)
	}
	after, err := narvik.New[conformance.BenchData](s, narvik.WithCodec(cborcodec.New()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := after.ValidateSession(bg, old.Token)
	if err != nil || got == nil || !sameData(got.Data, conformance.BenchSample) {
		t.Fatalf("ValidateSession(JSON session) = %+v, %v", got, err)
	}
}

type v1 struct {
	UA string `json:"ua"`
	IP string `json:"ip"`
}

type v2 struct {
	UA     string `json:"ua"`
	IP     string `json:"ip"`
	Locale string `json:"locale"`
}

type v0 struct {
	IP string `json:"ip"`
}

// A field added to the type or removed from it keeps stored values
// readable: the new field is zero, the removed one is skipped.
func TestSchemaEvolution(t *testing.T) {
	c := cborcodec.New()
	b, err := c.Marshal(v1{UA: "curl/8", IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	var added v2
	if err := c.Unmarshal(b, &added); err != nil || added != (v2{UA: "curl/8", IP: "192.0.2.1"}) {
		t.Errorf("into a type with a field more: %+v, %v", added, err)
	}
	var removed v0
	if err := c.Unmarshal(b, &removed); err != nil || removed != (v0{IP: "192.0.2.1"}) {
		t.Errorf("into a type with a field less: %+v, %v", removed, err)
	}
}

// Unmarshal keeps no part of the bytes it was given: stores hand the same
// slice to every caller.
func TestUnmarshalKeepsNothing(t *testing.T) {
	type withBytes struct {
		Key  []byte `json:"key"`
		Name string `json:"name"`
	}
	c := cborcodec.New()
	b, err := c.Marshal(withBytes{Key: []byte("secret-key"), Name: "name"})
	if err != nil {
		t.Fatal(err)
	}
	var got withBytes
	if err := c.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for i := range b {
		b[i] = 'x'
	}
	if string(got.Key) != "secret-key" || got.Name != "name" {
		t.Fatalf("decoded value changed with its input: %+v", got)
	}
}

// A few bytes that declare an enormous array or map are refused before
// anything of that size is allocated.
func TestLengthBombs(t *testing.T) {
	c := cborcodec.New()
	for name, data := range map[string][]byte{
		"array of 2^64-1": {0xd9, 0xd9, 0xf7, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"map of 2^32-1":   {0xd9, 0xd9, 0xf7, 0xba, 0xff, 0xff, 0xff, 0xff},
		"text of 2^32-1":  {0xd9, 0xd9, 0xf7, 0x7a, 0xff, 0xff, 0xff, 0xff, 'a'},
		"nesting 1000":    append([]byte{0xd9, 0xd9, 0xf7}, bytes.Repeat([]byte{0x81}, 1000)...),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var v any
		err := c.Unmarshal(data, &v)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: %d bytes allocated to refuse %d bytes", name, grew, len(data))
		}
	}
}

// FuzzUnmarshal: no stored value makes the decoder panic, whatever the
// target type, and a value that decodes into BenchData survives being
// encoded and decoded again unchanged.
func FuzzUnmarshal(f *testing.F) {
	c := cborcodec.New()
	valid, err := c.Marshal(conformance.BenchSample)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{valid, {0xd9, 0xd9, 0xf7}, {0xd9, 0xd9, 0xf7, 0xa0}, []byte(`{"ua":"x"}`), []byte("null"), nil} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		_ = c.Unmarshal(data, &v)
		var d conformance.BenchData
		if c.Unmarshal(data, &d) != nil {
			return
		}
		again, err := c.Marshal(d)
		if err != nil {
			return // a decoded time outside what RFC 3339 can write
		}
		var d2 conformance.BenchData
		if err := c.Unmarshal(again, &d2); err != nil || !sameData(d, d2) {
			t.Fatalf("%x decoded to %+v, which came back as %+v, %v", data, d, d2, err)
		}
	})
}
