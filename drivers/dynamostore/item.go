package dynamostore

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// The table layout. It is fixed so that a table made by infrastructure-as-code
// from the package documentation works with every version of this package.
const (
	// IndexName is the name of the global secondary index on UserIDAttribute.
	IndexName = "userId-index"
	// IDAttribute is the partition key: the session ID (String).
	IDAttribute = "id"
	// UserIDAttribute is the partition key of IndexName (String).
	UserIDAttribute = "userId"
	// ExpiresAtAttribute holds the expiry in Unix milliseconds (Number).
	ExpiresAtAttribute = "expiresAt"
	// CreatedAtAttribute holds the creation time in Unix milliseconds (Number).
	CreatedAtAttribute = "createdAt"
	// DataAttribute holds the session data (Binary); absent when empty.
	DataAttribute = "data"
	// TTLAttribute is the table's TTL attribute: the expiry in Unix seconds,
	// rounded up (Number).
	TTLAttribute = "ttl"
)

// maxKeyBytes is DynamoDB's limit for a partition key value, of the table and
// of a GSI alike. The store checks it itself so that a longer ID gives a
// typed error instead of a ValidationException from the server.
const maxKeyBytes = 2048

// keyProblem says why k cannot be stored exactly as a DynamoDB key string,
// or returns "" when it can. Invalid UTF-8 is refused because the wire
// format (JSON) would replace the bad bytes, and two different IDs could
// then name one item.
func keyProblem(k string) string {
	switch {
	case k == "":
		return "empty"
	case len(k) > maxKeyBytes:
		return fmt.Sprintf("%d bytes, DynamoDB keys hold at most %d", len(k), maxKeyBytes)
	case !utf8.ValidString(k):
		return "not valid UTF-8, which DynamoDB would store altered"
	}
	return ""
}

// validKey reports whether k can be stored exactly as a DynamoDB key. Reads
// and deletes of any other ID find nothing without asking the server.
func validKey(k string) bool { return keyProblem(k) == "" }

// checkKeys returns the typed refusal of a record whose session or user ID
// cannot be a DynamoDB key, or nil. The error also wraps the deprecated
// ErrInvalidKey, for callers written before the narvik errors existed.
func checkKeys(r narvik.Record) error {
	if why := keyProblem(r.ID); why != "" {
		return fmt.Errorf("%s: session ID %s: %s: %w (%w)", driver, storekit.Short(r.ID), why, narvik.ErrInvalidSessionID, ErrInvalidKey)
	}
	if why := keyProblem(r.UserID); why != "" {
		return fmt.Errorf("%w (%w)", storekit.InvalidUserID(driver, r.UserID, why), ErrInvalidKey)
	}
	return nil
}

// Attribute-name placeholders used in every expression, so that no attribute
// name can collide with DynamoDB's reserved words (DATA and TTL are reserved).
var names = map[string]string{
	"#id":  IDAttribute,
	"#uid": UserIDAttribute,
	"#exp": ExpiresAtAttribute,
	"#ttl": TTLAttribute,
}

// namesFor returns the placeholders among keys, as DynamoDB refuses unused
// ones.
func namesFor(keys ...string) map[string]string {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[k] = names[k]
	}
	return m
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// ttlSeconds is the TTL value for an expiry: Unix seconds rounded UP, so that
// DynamoDB never deletes an item before the millisecond it expires.
func ttlSeconds(expiresAt time.Time) int64 {
	ms := expiresAt.UnixMilli()
	s := ms / 1000
	if ms%1000 > 0 {
		s++
	}
	return s
}

// key is the primary key of the item for id.
func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{IDAttribute: str(id)}
}

// toItem encodes r. Times are kept in Unix milliseconds, the precision the
// store promises. Data is not copied: nobody modifies it once handed over
// (narvik.SessionStore), and the client only reads it to encode the request.
func toItem(r narvik.Record) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		IDAttribute:        str(r.ID),
		UserIDAttribute:    str(r.UserID),
		ExpiresAtAttribute: num(r.ExpiresAt.UnixMilli()),
		CreatedAtAttribute: num(r.CreatedAt.UnixMilli()),
		TTLAttribute:       num(ttlSeconds(r.ExpiresAt)),
	}
	if len(r.Data) > 0 {
		item[DataAttribute] = &types.AttributeValueMemberB{Value: r.Data}
	}
	return item
}

// fromItem decodes an item. An item that lacks a field or has the wrong type
// gives an error wrapping narvik.ErrBadRecord: the store fails closed rather
// than guess. Data is the client's own freshly decoded slice, not copied.
func fromItem(item map[string]types.AttributeValue) (narvik.Record, error) {
	var r narvik.Record
	var err error
	if r.ID, err = getS(item, "", IDAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.UserID, err = getS(item, r.ID, UserIDAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.ExpiresAt, err = getMillis(item, r.ID, ExpiresAtAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.CreatedAt, err = getMillis(item, r.ID, CreatedAtAttribute); err != nil {
		return narvik.Record{}, err
	}
	switch v := item[DataAttribute].(type) {
	case nil:
	case *types.AttributeValueMemberB:
		r.Data = v.Value
	default:
		return narvik.Record{}, storekit.BadRecord(driver, r.ID, "attribute %q is %T, want Binary", DataAttribute, v)
	}
	return r, nil
}

// getS reads the String attribute name of the item of session id ("" while
// the ID itself is read).
func getS(item map[string]types.AttributeValue, id, name string) (string, error) {
	v, ok := item[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", storekit.BadRecord(driver, id, "attribute %q is %T, want String", name, item[name])
	}
	return v.Value, nil
}

// getMillis reads the Number attribute name, Unix milliseconds, of the item
// of session id.
func getMillis(item map[string]types.AttributeValue, id, name string) (time.Time, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}, storekit.BadRecord(driver, id, "attribute %q is %T, want Number", name, item[name])
	}
	ms, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return time.Time{}, storekit.BadRecord(driver, id, "attribute %q = %q, want Unix milliseconds", name, v.Value)
	}
	return time.UnixMilli(ms), nil
}
