package dynamostore

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
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
// of a GSI alike. The store checks it itself so that a longer ID gives
// ErrInvalidKey instead of a ValidationException from the server.
const maxKeyBytes = 2048

// validKey reports whether k can be stored as a DynamoDB key string. Invalid
// UTF-8 is refused because the wire format (JSON) would replace the bad bytes
// and two different IDs could then name one item.
func validKey(k string) bool {
	return k != "" && len(k) <= maxKeyBytes && utf8.ValidString(k)
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
// store promises; Data is copied so the item never aliases the caller's slice.
func toItem(r narvik.Record) map[string]types.AttributeValue {
	item := map[string]types.AttributeValue{
		IDAttribute:        str(r.ID),
		UserIDAttribute:    str(r.UserID),
		ExpiresAtAttribute: num(r.ExpiresAt.UnixMilli()),
		CreatedAtAttribute: num(r.CreatedAt.UnixMilli()),
		TTLAttribute:       num(ttlSeconds(r.ExpiresAt)),
	}
	if len(r.Data) > 0 {
		item[DataAttribute] = &types.AttributeValueMemberB{Value: slices.Clone(r.Data)}
	}
	return item
}

// fromItem decodes an item. An item that lacks a field or has the wrong type
// gives an error wrapping narvik.ErrBadRecord: the store fails closed rather
// than guess.
func fromItem(item map[string]types.AttributeValue) (narvik.Record, error) {
	var r narvik.Record
	var err error
	if r.ID, err = getS(item, IDAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.UserID, err = getS(item, UserIDAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.ExpiresAt, err = getMillis(item, ExpiresAtAttribute); err != nil {
		return narvik.Record{}, err
	}
	if r.CreatedAt, err = getMillis(item, CreatedAtAttribute); err != nil {
		return narvik.Record{}, err
	}
	switch v := item[DataAttribute].(type) {
	case nil:
	case *types.AttributeValueMemberB:
		r.Data = slices.Clone(v.Value)
	default:
		return narvik.Record{}, fmt.Errorf("%w: dynamostore: attribute %q is %T, want Binary", narvik.ErrBadRecord, DataAttribute, v)
	}
	return r, nil
}

func getS(item map[string]types.AttributeValue, name string) (string, error) {
	v, ok := item[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", fmt.Errorf("%w: dynamostore: attribute %q is %T, want String", narvik.ErrBadRecord, name, item[name])
	}
	return v.Value, nil
}

func getMillis(item map[string]types.AttributeValue, name string) (time.Time, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: dynamostore: attribute %q is %T, want Number", narvik.ErrBadRecord, name, item[name])
	}
	ms, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: dynamostore: attribute %q = %q, want Unix milliseconds: %w", narvik.ErrBadRecord, name, v.Value, err)
	}
	return time.UnixMilli(ms), nil
}
