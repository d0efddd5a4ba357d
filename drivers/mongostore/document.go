package mongostore

import (
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

// stored is a document as read back. Data is a bson.Binary rather than a
// []byte because the decoder turns a BSON string into a []byte without a
// word, and a string there is a value this store did not write.
type stored struct {
	ID        string      `bson:"_id"`
	UserID    string      `bson:"userId"`
	ExpiresAt time.Time   `bson:"expiresAt"`
	CreatedAt time.Time   `bson:"createdAt"`
	Data      bson.Binary `bson:"data"`
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

// decodeRecord decodes one session document with dec (SingleResult.Decode
// or Cursor.Decode; raw is the same document, for the error message). The
// BSON decoder copies binary values out of the reply, so the record's Data
// is its own and is returned without another copy. A document this store
// did not write (a field of another BSON type, no user or no expiry) gives
// an error wrapping narvik.ErrBadRecord and no record: a damaged document
// never validates.
func decodeRecord(raw bson.Raw, dec func(any) error) (narvik.Record, error) {
	var d stored
	if err := dec(&d); err != nil {
		return narvik.Record{}, storekit.BadRecord("mongostore", rawID(raw), "%v", err)
	}
	switch {
	case d.UserID == "":
		return narvik.Record{}, storekit.BadRecord("mongostore", d.ID, "no %s", fieldUserID)
	case d.ExpiresAt.IsZero():
		return narvik.Record{}, storekit.BadRecord("mongostore", d.ID, "no %s", fieldExpiresAt)
	case d.Data.Subtype != bson.TypeBinaryGeneric:
		return narvik.Record{}, storekit.BadRecord("mongostore", d.ID, "%s has binary subtype %#x, want 0", fieldData, d.Data.Subtype)
	}
	return narvik.Record{
		ID:        d.ID,
		UserID:    d.UserID,
		ExpiresAt: d.ExpiresAt,
		CreatedAt: d.CreatedAt,
		Data:      d.Data.Data,
	}, nil
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
