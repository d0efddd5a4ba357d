package mongostore

import (
	"bytes"
	"encoding/binary"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// Field names of a session document. They are part of the documented layout:
// people query these collections by hand, so they never change.
const (
	fieldID        = "_id"
	fieldUserID    = "userId"
	fieldExpiresAt = "expiresAt"
	fieldCreatedAt = "createdAt"
	fieldData      = "data"
)

// document is one session as stored. time.Time encodes as a BSON date
// (milliseconds since the epoch, UTC), the only type a TTL index acts on;
// []byte encodes as BSON binary (subtype 0).
type document struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	ExpiresAt time.Time `bson:"expiresAt"`
	CreatedAt time.Time `bson:"createdAt"`
	Data      []byte    `bson:"data"`
}

// toDocument keeps r.Data as it is: InsertOne encodes the document before
// it returns and keeps nothing, and nobody modifies Data (narvik's
// contract).
func toDocument(r narvik.Record) document {
	return document{
		ID:        r.ID,
		UserID:    r.UserID,
		ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt,
		Data:      r.Data,
	}
}

// decodeRecord decodes one session document straight from the reply's
// bytes, without reflection: the only allocations are the user ID and,
// when the document is not the caller's to keep (owned is false: a
// cursor's Current, valid until its next Next), a copy of Data. A
// SingleResult's document is a reply buffer the client allocated for this
// one call and never touches again, so Data is sliced from it there.
// wantID, when not empty, is the ID the caller asked for: it becomes the
// record's ID without another string. A document this store did not write
// (a field of another BSON type, no user or no expiry) gives an error
// wrapping narvik.ErrBadRecord and no record: a damaged document never
// validates.
func decodeRecord(raw bson.Raw, wantID string, owned bool) (narvik.Record, error) {
	bad := func(format string, args ...any) (narvik.Record, error) {
		return narvik.Record{}, storekit.BadRecord("mongostore", rawID(raw), format, args...)
	}
	var r narvik.Record
	id, ok := rawString(raw, fieldID)
	switch {
	case !ok:
		return bad("%s is not a string", fieldID)
	case wantID != "" && string(id) == wantID:
		r.ID = wantID
	default:
		r.ID = string(id)
	}
	user, ok := rawString(raw, fieldUserID)
	if !ok || len(user) == 0 {
		return bad("no %s string", fieldUserID)
	}
	r.UserID = string(user)
	expires, err := raw.LookupErr(fieldExpiresAt)
	if err != nil || expires.Type != bson.TypeDateTime {
		return bad("no %s date", fieldExpiresAt)
	}
	r.ExpiresAt = time.UnixMilli(expires.DateTime()).UTC()
	if created, err := raw.LookupErr(fieldCreatedAt); err == nil {
		ms, ok := created.DateTimeOK()
		if !ok {
			return bad("%s is a %s, want a date", fieldCreatedAt, created.Type)
		}
		r.CreatedAt = time.UnixMilli(ms).UTC()
	}
	if data, err := raw.LookupErr(fieldData); err == nil && data.Type != bson.TypeNull { // nil Data is stored as null
		subtype, b, ok := data.BinaryOK()
		switch {
		case !ok:
			return bad("%s is a %s, want binary", fieldData, data.Type)
		case subtype != bson.TypeBinaryGeneric:
			return bad("%s has binary subtype %#x, want 0", fieldData, subtype)
		case len(b) > 0 && !owned:
			r.Data = bytes.Clone(b)
		case len(b) > 0:
			r.Data = b
		}
	}
	return r, nil
}

// idFilter returns the filter {_id: id} as BSON bytes, built by hand: the
// per-request query then costs one allocation and no reflection, where a
// bson.D costs three and a trip through the encoder.
func idFilter(id string) bson.Raw {
	n := 4 + 1 + len(fieldID) + 1 + 4 + len(id) + 1 + 1
	b := make([]byte, 0, n)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = append(b, byte(bson.TypeString))
	b = append(b, fieldID...)
	b = append(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(id)+1))
	b = append(b, id...)
	return append(b, 0, 0)
}

// rawString returns the bytes of the string field key of raw, without
// copying them, and whether the field is a well-formed BSON string.
func rawString(raw bson.Raw, key string) ([]byte, bool) {
	v, err := raw.LookupErr(key)
	if err != nil || v.Type != bson.TypeString || len(v.Value) < 5 {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(v.Value))
	if n < 1 || n != len(v.Value)-4 || v.Value[len(v.Value)-1] != 0 {
		return nil, false
	}
	return v.Value[4 : len(v.Value)-1], true
}

// rawID returns the _id of a document that did not decode, as text for an
// error message, whatever its BSON type.
func rawID(raw bson.Raw) string {
	v, err := raw.LookupErr(fieldID)
	if err != nil {
		return "?"
	}
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	return v.String()
}
