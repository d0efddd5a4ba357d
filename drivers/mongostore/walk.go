package mongostore

import (
	"context"
	"iter"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// walkCursor is where a walk resumes: after the document with _id last,
// once the first page has been read.
type walkCursor struct {
	last    string
	started bool
}

// AllSessions yields every live session once, in _id order
// (narvik.Enumerator), for migrations and operator tools.
//
// It reads keyset pages: each page is one find of
// {_id: {$gt: <last _id of the previous page>}, expiresAt: {$gt: now}},
// sorted by _id, hinted to the _id index and limited to the page size
// (WithWalkPageSize, 1,000 by default). No server cursor stays open while
// the caller's loop runs, so a slow consumer (a migration writing to another
// store) never loses its cursor to the server's idle timeout, and a failover
// between two pages costs nothing. Expired documents are filtered on the
// server. Memory is one page. Documents saved during the walk are yielded
// when their _id sorts after the walk's position; none is yielded twice,
// since every page starts strictly after the last _id yielded.
//
// A document this store did not write ends the walk with an error wrapping
// narvik.ErrBadRecord.
func (s *Store) AllSessions(ctx context.Context) iter.Seq2[narvik.Record, error] {
	return storekit.Walk(ctx, "mongostore: walk sessions", s.walkPageAfter)
}

// walkPageAfter reads the page after c; see AllSessions.
func (s *Store) walkPageAfter(ctx context.Context, c walkCursor) ([]narvik.Record, walkCursor, bool, error) {
	filter := bson.D{{Key: fieldExpiresAt, Value: liveAt(now())}}
	if c.started {
		filter = append(bson.D{{Key: fieldID, Value: bson.D{{Key: "$gt", Value: c.last}}}}, filter...)
	}
	cur, err := s.coll.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: fieldID, Value: 1}}).
		SetHint(bson.D{{Key: fieldID, Value: 1}}).
		SetLimit(int64(s.walkPage)).
		SetBatchSize(int32(s.walkPage)))
	if err != nil {
		return nil, c, false, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	page := make([]narvik.Record, 0, min(s.walkPage, 64))
	for cur.Next(ctx) {
		r, err := decodeRecord(cur.Current, "", false)
		if err != nil {
			return nil, c, false, err
		}
		page = append(page, r)
	}
	if err := cur.Err(); err != nil {
		return nil, c, false, err
	}
	if len(page) == 0 {
		return nil, c, true, nil
	}
	next := walkCursor{last: page[len(page)-1].ID, started: true}
	return page, next, len(page) < s.walkPage, nil
}
