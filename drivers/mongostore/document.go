package mongostore

import (
	"time"

	"github.com/narvik-go/narvik"
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

func toDocument(r narvik.Record) document {
	return document{
		ID:        r.ID,
		UserID:    r.UserID,
		ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt,
		// No copy needed: InsertOne encodes the document before it
		// returns and keeps nothing.
		Data: r.Data,
	}
}

func (d document) record() narvik.Record {
	return narvik.Record{
		ID:        d.ID,
		UserID:    d.UserID,
		ExpiresAt: d.ExpiresAt,
		CreatedAt: d.CreatedAt,
		// No copy needed: the BSON decoder copies binary values out of the
		// reply, so d.Data is already the caller's own slice (the
		// conformance suite's Aliasing checks hold us to that).
		Data: d.Data,
	}
}
