package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
)

// SaveSession puts r unless an item with its ID exists (a conditional
// PutItem, one round trip): an existing ID gives narvik.ErrDuplicateSession
// and leaves the stored item as it was. An empty, over-long or non-UTF-8 ID
// or user ID gives ErrInvalidKey.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(r.ID) || !validKey(r.UserID) {
		return fmt.Errorf("%w: ID of %d bytes, user ID of %d bytes (want 1 to %d bytes of UTF-8)", ErrInvalidKey, len(r.ID), len(r.UserID), maxKeyBytes)
	}
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     toItem(r),
		ConditionExpression:      aws.String("attribute_not_exists(#id)"),
		ExpressionAttributeNames: namesFor("#id"),
	})
	if isConditionFailed(err) {
		return narvik.ErrDuplicateSession
	}
	if err != nil {
		return wrap(ctx, "save session: PutItem", err)
	}
	return nil
}

// FetchSession reads the item with a strongly consistent GetItem (one round
// trip), so a session is visible as soon as SaveSession returns and gone as
// soon as DeleteSession returns. An item whose expiresAt is at or before now
// is treated as missing: DynamoDB's TTL deletes expired items late (within
// days), and they stay readable until then.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return narvik.Record{}, err
	}
	if !validKey(id) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            key(id),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return narvik.Record{}, wrap(ctx, "fetch session: GetItem", err)
	}
	if len(out.Item) == 0 {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	r, err := fromItem(out.Item)
	if err != nil {
		return narvik.Record{}, err
	}
	if !time.Now().Before(r.ExpiresAt) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	return r, nil
}

// UpdateSessionExpiry sets expiresAt and the TTL attribute of a live item in
// one conditional UpdateItem. The condition (the item exists and its
// expiresAt is after now, judged by this machine's clock) makes the update
// fail with narvik.ErrSessionNotFound instead of creating an item: an
// extension racing a delete never brings the session back.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(id) {
		return narvik.ErrSessionNotFound
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      key(id),
		UpdateExpression:         aws.String("SET #exp = :exp, #ttl = :ttl"),
		ConditionExpression:      aws.String("attribute_exists(#id) AND #exp > :now"),
		ExpressionAttributeNames: namesFor("#id", "#exp", "#ttl"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":exp": num(expiresAt.UnixMilli()),
			":ttl": num(ttlSeconds(expiresAt)),
			":now": num(time.Now().UnixMilli()),
		},
	})
	if isConditionFailed(err) {
		return narvik.ErrSessionNotFound
	}
	if err != nil {
		return wrap(ctx, "update session expiry: UpdateItem", err)
	}
	return nil
}

// DeleteSession deletes the item (one DeleteItem). Deleting a missing item
// is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !validKey(id) {
		return nil // nothing can be stored under it
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       key(id),
	})
	if err != nil {
		return wrap(ctx, "delete session: DeleteItem", err)
	}
	return nil
}

// isConditionFailed reports whether err is DynamoDB's answer to a condition
// expression that did not hold.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
