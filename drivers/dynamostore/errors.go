package dynamostore

import (
	"errors"
	"fmt"

	"github.com/narvik-go/narvik"
)

// Errors of this package, matched with errors.Is. Each wraps the narvik
// error of the same meaning where there is one, so code written for any
// driver matches them too.
var (
	// ErrInvalidTable is returned by New when the table name is not a valid
	// DynamoDB table name (3 to 255 characters of a-z, A-Z, 0-9, '_', '-',
	// '.'). It wraps narvik.ErrInvalidOption.
	ErrInvalidTable = fmt.Errorf("dynamostore: invalid table name: %w", narvik.ErrInvalidOption)

	// ErrTableSchema is returned by EnsureSchema when the table exists but
	// does not have the layout documented in the package documentation (key
	// schema, the userId-index GSI, the TTL attribute). EnsureSchema never
	// changes an existing key schema or index; fix the table by hand or with
	// your infrastructure-as-code.
	ErrTableSchema = errors.New("dynamostore: table does not match the session schema")

	// ErrInvalidKey is wrapped, together with narvik.ErrInvalidUserID or
	// narvik.ErrInvalidSessionID, by the error of SaveSession for an ID that
	// cannot be a DynamoDB key: empty, not valid UTF-8, or longer than 2048
	// bytes.
	//
	// Deprecated: match narvik.ErrInvalidUserID or narvik.ErrInvalidSessionID,
	// which say which ID was refused, as with every driver. The errors still
	// wrap ErrInvalidKey so that existing checks keep working.
	ErrInvalidKey = errors.New("dynamostore: not a DynamoDB key")

	// ErrNilClient is what New's error wraps for a nil client.
	//
	// Deprecated: it is narvik.ErrNilClient; match that.
	ErrNilClient = narvik.ErrNilClient

	// ErrInvalidOption is what New's error wraps for an unusable option.
	//
	// Deprecated: it is narvik.ErrInvalidOption; match that.
	ErrInvalidOption = narvik.ErrInvalidOption
)
