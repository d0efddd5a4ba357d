package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/narvik-go/narvik"
)

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
	if err := ctx.Err(); err != nil {
		return nil, err
	}
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
			return nil, wrap(ctx, "fetch sessions for user: Query", err)
		}
		for _, item := range out.Items {
			r, err := fromItem(item)
			if err != nil {
				return nil, err
			}
			if r.UserID == userID && now.Before(r.ExpiresAt) {
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
	if err := ctx.Err(); err != nil {
		return err
	}
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
// page's items and returns how many it deleted.
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
	return s.deletePages(ctx, func(ctx context.Context, start map[string]types.AttributeValue) ([]map[string]types.AttributeValue, map[string]types.AttributeValue, error) {
		in.ExclusiveStartKey = start
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, nil, wrap(ctx, "delete sessions for user: Query", err)
		}
		return out.Items, out.LastEvaluatedKey, nil
	})
}

// deletePages reads pages of items with page (each read from the previous
// page's last key), deletes each page's items, and returns how many it
// deleted. Deleting page by page keeps memory flat whatever the count.
func (s *Store) deletePages(ctx context.Context, page func(context.Context, map[string]types.AttributeValue) (items []map[string]types.AttributeValue, last map[string]types.AttributeValue, err error)) (int, error) {
	deleted := 0
	var start map[string]types.AttributeValue
	for {
		items, last, err := page(ctx, start)
		if err != nil {
			return deleted, err
		}
		ids, err := itemIDs(items)
		if err != nil {
			return deleted, err
		}
		n, err := s.deleteIDs(ctx, ids)
		deleted += n
		if err != nil {
			return deleted, err
		}
		if len(last) == 0 {
			return deleted, nil
		}
		start = last
	}
}

// itemIDs returns the session IDs of items read with a projection of id.
func itemIDs(items []map[string]types.AttributeValue) ([]string, error) {
	ids := make([]string, 0, len(items))
	for _, item := range items {
		id, err := getS(item, IDAttribute)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}
