package narvik_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// plainLogin is Login without its methods: encoded as JSON.
type plainLogin struct {
	IP  string
	MFA bool
}

// storedData returns the Data the store keeps for a session.
func storedData(t *testing.T, s *memstore.Store, id string) []byte {
	t.Helper()
	r, err := s.FetchSession(bg, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Data
}

// A type that implements DataMarshaler and DataUnmarshaler is encoded by
// its own methods, marked with a leading 0x01, and comes back intact.
func TestSelfEncodingIsPickedUp(t *testing.T) {
	s := memstore.New()
	n := mustNew[Login](t, s)
	want := Login{IP: "192.0.2.1", MFA: true}
	res, err := n.CreateSession(bg, "u", want)
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := want.AppendSessionData(nil)
	if got := storedData(t, s, res.Session.ID); !bytes.Equal(got, append([]byte{1}, enc...)) {
		t.Fatalf("stored %q, want 0x01 then the type's own encoding %q", got, enc)
	}
	got, err := n.ValidateSession(bg, res.Token)
	if err != nil || got == nil || got.Data != want {
		t.Fatalf("ValidateSession = %+v, %v; want data %+v", got, err, want)
	}
}

// Sessions stored as JSON before the type gained its methods still decode,
// and new ones use the methods.
func TestSelfEncodingReadsEarlierJSON(t *testing.T) {
	s := memstore.New()
	before := mustNew[plainLogin](t, s)
	old, err := before.CreateSession(bg, "u", plainLogin{IP: "192.0.2.1", MFA: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := storedData(t, s, old.Session.ID); got[0] != '{' {
		t.Fatalf("the JSON session was stored as %q", got)
	}
	after := mustNew[Login](t, s)
	got, err := after.ValidateSession(bg, old.Token)
	if err != nil || got == nil || got.Data != (Login{IP: "192.0.2.1", MFA: true}) {
		t.Fatalf("ValidateSession(JSON session) = %+v, %v", got, err)
	}
	for _, d := range []string{`null`, ` {"IP":"x"}`, `{}`} {
		id := saveRaw(t, s, []byte(d))
		if got, err := after.FetchSessionsForUser(bg, "raw"); err != nil || len(got) != 1 {
			t.Fatalf("JSON %q: FetchSessionsForUser = %v, %v", d, got, err)
		}
		_ = s.DeleteSession(bg, id)
	}
}

// saveRaw stores a live session of user "raw" with the given data.
func saveRaw(t *testing.T, s *memstore.Store, data []byte) string {
	t.Helper()
	id := narvik.SessionIDFromToken(fmt.Sprintf("%032d", time.Now().UnixNano()))
	now := time.Now()
	if err := s.SaveSession(bg, narvik.Record{ID: id, UserID: "raw", ExpiresAt: now.Add(time.Hour), CreatedAt: now, Data: data}); err != nil {
		t.Fatal(err)
	}
	return id
}

// WithCodec wins over the type's methods.
func TestWithCodecOverridesSelfEncoding(t *testing.T) {
	s := memstore.New()
	n := mustNew[Login](t, s, narvik.WithCodec(narvik.JSONCodec{}))
	res, err := n.CreateSession(bg, "u", Login{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := storedData(t, s, res.Session.ID); got[0] != '{' {
		t.Fatalf("stored %q, want JSON", got)
	}
	got, err := n.ValidateSession(bg, res.Token)
	if err != nil || got == nil || got.Data.IP != "192.0.2.1" {
		t.Fatalf("ValidateSession = %+v, %v", got, err)
	}
}

// Data that the type's methods wrote cannot be read by a type without
// them: an error wrapping ErrBadRecord that says why, and no session.
func TestSelfEncodedDataWithoutMethods(t *testing.T) {
	s := memstore.New()
	res, err := mustNew[Login](t, s).CreateSession(bg, "u", Login{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := mustNew[plainLogin](t, s).ValidateSession(bg, res.Token)
	if got != nil || !errors.Is(err, narvik.ErrBadRecord) {
		t.Fatalf("ValidateSession = %+v, %v; want nil and ErrBadRecord", got, err)
	}
}

// failing encodes and decodes with errors, or rewrites what it was given.
type failing struct{ mode string }

var errFailing = errors.New("failing")

func (f failing) AppendSessionData(b []byte) ([]byte, error) {
	switch f.mode {
	case "encode":
		return nil, errFailing
	case "rewrite":
		return append(b[:0], 'x'), nil
	}
	return append(b, f.mode...), nil
}

func (f *failing) UnmarshalSessionData(data []byte) error {
	if string(data) == "decode" {
		return errFailing
	}
	f.mode = string(data)
	return nil
}

// Errors of the type's methods: encoding fails with ErrEncodeData and
// saves nothing; decoding fails with ErrBadRecord and yields no session.
func TestSelfEncodingErrors(t *testing.T) {
	s := memstore.New()
	n := mustNew[failing](t, s)
	for _, mode := range []string{"encode", "rewrite"} {
		if res, err := n.CreateSession(bg, "u", failing{mode}); res != nil || !errors.Is(err, narvik.ErrEncodeData) {
			t.Errorf("CreateSession(%s) = %v, %v; want ErrEncodeData", mode, res, err)
		}
	}
	if list, _ := s.FetchSessionsForUser(bg, "u"); len(list) != 0 {
		t.Fatalf("failed creations stored %d sessions", len(list))
	}
	res, err := n.CreateSession(bg, "u", failing{"decode"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := n.ValidateSession(bg, res.Token); got != nil || !errors.Is(err, narvik.ErrBadRecord) || !errors.Is(err, errFailing) {
		t.Fatalf("ValidateSession = %+v, %v; want nil and ErrBadRecord wrapping the method's error", got, err)
	}
}

// FuzzSelfEncodedData: whatever bytes a store hands back, validation of a
// type with its own methods returns a session or an error wrapping
// ErrBadRecord, and never panics.
func FuzzSelfEncodedData(f *testing.F) {
	valid, _ := Login{IP: "192.0.2.1", MFA: true}.AppendSessionData([]byte{1})
	for _, seed := range [][]byte{valid, {1}, {1, 1, 200}, {1, 9, 0}, []byte(`{"IP":"x"}`), []byte("null"), {0}, nil} {
		f.Add(seed)
	}
	s := memstore.New()
	n, err := narvik.New[Login](s)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		id := saveRaw(t, s, data)
		defer func() { _ = s.DeleteSession(bg, id) }()
		list, err := n.FetchSessionsForUser(bg, "raw")
		if err != nil && !errors.Is(err, narvik.ErrBadRecord) {
			t.Fatalf("data %q: %v, want nil or ErrBadRecord", data, err)
		}
		if (err == nil) != (len(list) == 1) {
			t.Fatalf("data %q: %d sessions and %v", data, len(list), err)
		}
	})
}
