package dynamostore

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// SaveSession puts r unless an item with its ID exists (a conditional
// PutItem, one round trip): an existing ID gives narvik.ErrDuplicateSession
// and leaves the stored item as it was. A session ID or user ID that cannot
// be a DynamoDB key exactly (empty, over 2048 bytes, not valid UTF-8) gives
// an error wrapping narvik.ErrInvalidSessionID or narvik.ErrInvalidUserID,
// and nothing is sent.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := checkKeys(r); err != nil {
		return err
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
		return storekit.Wrap(ctx, "dynamostore: save session: PutItem", err)
	}
	return nil
}

// FetchSession reads the item with a strongly consistent GetItem (one round
// trip), so a session is visible as soon as SaveSession returns and gone as
// soon as DeleteSession returns. An item whose expiresAt is at or before now
// is treated as missing: DynamoDB's TTL deletes expired items late (within
// days), and they stay readable until then.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	if !validKey(id) {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      s.tableName,
		Key:            key(id),
		ConsistentRead: s.consistent,
	})
	if err != nil {
		return narvik.Record{}, storekit.Wrap(ctx, "dynamostore: fetch session: GetItem", err)
	}
	if len(out.Item) == 0 {
		return narvik.Record{}, narvik.ErrSessionNotFound
	}
	r, err := fromItem(out.Item)
	if err != nil {
		return narvik.Record{}, err
	}
	if !storekit.Live(r.ExpiresAt, time.Now()) {
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
		return storekit.Wrap(ctx, "dynamostore: update session expiry: UpdateItem", err)
	}
	return nil
}

// DeleteSession deletes the item (one DeleteItem). Deleting a missing item
// is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !validKey(id) {
		return nil // nothing can be stored under it
	}
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table),
		Key:       key(id),
	})
	if err != nil {
		return storekit.Wrap(ctx, "dynamostore: delete session: DeleteItem", err)
	}
	return nil
}

// FetchSessionsForUser queries the userId-index GSI, following
// LastEvaluatedKey until the last page, so any number of sessions is listed
// (one round trip per 1 MB page, or per WithQueryPageSize items). Expired
// items are filtered out by the server (a FilterExpression, which saves
// bandwidth, not read capacity) and again here against this machine's clock.
//
// GSI reads are eventually consistent: a session saved or deleted a moment
// ago (typically well under a second) may be missing from, or still present
// in, the list. FetchSession is always strongly consistent, so a listed
// session that was deleted can never be validated.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if !validKey(userID) {
		return []narvik.Record{}, nil
	}
	now := time.Now()
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		IndexName:                aws.String(IndexName),
		KeyConditionExpression:   aws.String("#uid = :uid"),
		FilterExpression:         aws.String("#exp > :now"),
		ExpressionAttributeNames: namesFor("#uid", "#exp"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":uid": str(userID),
			":now": num(now.UnixMilli()),
		},
	}
	if s.opts.pageSize > 0 {
		in.Limit = aws.Int32(s.opts.pageSize)
	}
	list := []narvik.Record{}
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, storekit.Wrap(ctx, "dynamostore: fetch sessions for user: Query", err)
		}
		for _, item := range out.Items {
			r, err := fromItem(item)
			if err != nil {
				return nil, err
			}
			if r.UserID == userID && storekit.Live(r.ExpiresAt, now) {
				list = append(list, r)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return list, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// maxUserDeletePasses bounds how often DeleteSessionsForUser queries the
// user's sessions; see there.
const maxUserDeletePasses = 3

// DeleteSessionsForUser deletes every item of the user, live or expired: it
// queries the userId-index GSI for their IDs (keys only) and deletes them
// with BatchWriteItem, 25 per request, retrying unprocessed (throttled)
// deletes with backoff.
//
// Because the GSI is eventually consistent, a session saved a moment before
// the call may not be in the index yet and so escape the first query. The
// store therefore queries again after deleting, until a query finds nothing
// or three passes have run. This narrows the window but cannot close it, nor
// stop a session being created concurrently: for "sign out everywhere" after
// a password change, change the password first (so no new session can be
// created with the old one), then call this. A session missed by the index
// still dies at its own expiry, and FetchSession never misses a delete.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if !validKey(userID) {
		return nil
	}
	for range maxUserDeletePasses {
		n, err := s.deleteUserPass(ctx, userID)
		if err != nil || n == 0 {
			return err
		}
	}
	return nil
}

// deleteUserPass queries the user's items once, page by page, deletes each
// page's items and returns how many it deleted. Deleting page by page keeps
// memory flat whatever the count.
func (s *Store) deleteUserPass(ctx context.Context, userID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:                aws.String(s.table),
		IndexName:                aws.String(IndexName),
		KeyConditionExpression:   aws.String("#uid = :uid"),
		ProjectionExpression:     aws.String("#id"),
		ExpressionAttributeNames: namesFor("#uid", "#id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":uid": str(userID),
		},
	}
	if s.opts.pageSize > 0 {
		in.Limit = aws.Int32(s.opts.pageSize)
	}
	deleted := 0
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return deleted, storekit.Wrap(ctx, "dynamostore: delete sessions for user: Query", err)
		}
		ids, err := itemIDs(out.Items)
		if err != nil {
			return deleted, err
		}
		n, err := s.deleteIDs(ctx, ids)
		deleted += n
		if err != nil || len(out.LastEvaluatedKey) == 0 {
			return deleted, err
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// itemIDs returns the session IDs of items read with a projection of id.
func itemIDs(items []map[string]types.AttributeValue) ([]string, error) {
	ids := make([]string, 0, len(items))
	for _, item := range items {
		id, err := getS(item, "", IDAttribute)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// isConditionFailed reports whether err is DynamoDB's answer to a condition
// expression that did not hold.
func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
