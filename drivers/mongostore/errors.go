package mongostore

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// mongostore has no sentinel errors of its own: everything it returns
// speaks narvik's vocabulary (narvik.ErrSessionNotFound, ErrDuplicateSession,
// ErrBadRecord, ErrInvalidUserID, ErrInvalidSessionID, ErrInvalidOption,
// ErrNilClient), wrapped with what failed, or the client's error wrapped by
// storekit.Wrap. This file holds what maps to that vocabulary.

// codeNotImplemented is what FerretDB answers to expireAfterSeconds.
const codeNotImplemented = 238

// isCode reports whether err is a server error with the given code.
func isCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}

// storable reports whether a BSON string holds s byte for byte. BSON strings
// are UTF-8: the wire replaces invalid bytes with U+FFFD, so "\xff" and
// "\xfe" would both be stored as "\uFFFD" and two users (or sessions) would
// become one. An ID that is not storable cannot have been saved, so reads
// and deletes of it find nothing without asking the server.
func storable(s string) bool { return utf8.ValidString(s) }

// checkRecord refuses, before any I/O, a record whose IDs a document cannot
// hold exactly.
func checkRecord(r narvik.Record) error {
	switch {
	case r.UserID == "":
		return storekit.InvalidUserID("mongostore", r.UserID, "empty: every session belongs to a user")
	case !storable(r.UserID):
		return storekit.InvalidUserID("mongostore", r.UserID, "not valid UTF-8, which BSON strings cannot hold exactly")
	case !storable(r.ID):
		return fmt.Errorf("mongostore: session ID %s: not valid UTF-8, which BSON strings cannot hold exactly: %w", storekit.Short(r.ID), narvik.ErrInvalidSessionID)
	}
	return nil
}
