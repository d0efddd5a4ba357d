package mongostore

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// now is the instant against which expiry is judged, in the BSON date's
// precision. Truncating keeps "expiresAt > now" exact: a stored expiry (whole
// milliseconds) is after the truncated instant exactly when it is after the
// real one, which is storekit.Live's meaning.
func now() time.Time { return time.Now().Truncate(time.Millisecond) }

// liveAt matches documents that are live at t: expiresAt > t.
func liveAt(t time.Time) bson.D { return bson.D{{Key: "$gt", Value: t}} }

// SaveSession inserts r. An existing document with the same ID, live or
// expired, gives narvik.ErrDuplicateSession and is left as it was. A user ID
// or session ID that is not valid UTF-8 is refused with an error wrapping
// narvik.ErrInvalidUserID or narvik.ErrInvalidSessionID: a BSON string
// cannot hold it exactly.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	const op = "mongostore: save session"
	if err := checkRecord(r); err != nil {
		return err
	}
	_, err := s.coll.InsertOne(ctx, toDocument(r))
	if mongo.IsDuplicateKeyError(err) {
		return storekit.Wrap(ctx, op, narvik.ErrDuplicateSession)
	}
	return storekit.Wrap(ctx, op, err)
}

// FetchSession returns the live session with this ID. Expired documents the
// TTL monitor has not removed yet count as missing.
//
// The query is the bare {_id: id}, and expiry is checked here rather than in
// the filter: the answer is the same, but a filter on _id alone is the
// fastest path on mongod (IDHACK) and the only filter FerretDB's SQLite
// backend pushes down to an index instead of scanning the collection. This is
// the per-request call, so it gets the cheapest shape.
func (s *Store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	const op = "mongostore: fetch session"
	if !storable(id) {
		return narvik.Record{}, storekit.Wrap(ctx, op, narvik.ErrSessionNotFound)
	}
	res := s.coll.FindOne(ctx, idFilter(id))
	if err := res.Err(); errors.Is(err, mongo.ErrNoDocuments) {
		return narvik.Record{}, storekit.Wrap(ctx, op, narvik.ErrSessionNotFound)
	} else if err != nil {
		return narvik.Record{}, storekit.Wrap(ctx, op, err)
	}
	raw, _ := res.Raw() // the document Err just read
	r, err := decodeRecord(raw, id, true)
	if err != nil {
		return narvik.Record{}, storekit.Wrap(ctx, op, err)
	}
	if !storekit.Live(r.ExpiresAt, time.Now()) {
		return narvik.Record{}, storekit.Wrap(ctx, op, narvik.ErrSessionNotFound)
	}
	return r, nil
}

// UpdateSessionExpiry sets the expiry of a live session. The filter includes
// "not expired" and the update never upserts, so an update that loses a race
// with a delete (or with expiry) changes nothing and reports
// narvik.ErrSessionNotFound instead of bringing the session back.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	const op = "mongostore: update session expiry"
	if !storable(id) {
		return storekit.Wrap(ctx, op, narvik.ErrSessionNotFound)
	}
	res, err := s.coll.UpdateOne(ctx,
		bson.D{
			{Key: fieldID, Value: id},
			{Key: fieldExpiresAt, Value: liveAt(now())},
		},
		bson.D{{Key: "$set", Value: bson.D{{Key: fieldExpiresAt, Value: expiresAt}}}},
	)
	if err != nil {
		return storekit.Wrap(ctx, op, err)
	}
	if res.MatchedCount == 0 {
		return storekit.Wrap(ctx, op, narvik.ErrSessionNotFound)
	}
	return nil
}

// DeleteSession removes the session. A missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if !storable(id) {
		return nil
	}
	_, err := s.coll.DeleteOne(ctx, idFilter(id))
	return storekit.Wrap(ctx, "mongostore: delete session", err)
}

// FetchSessionsForUser returns every live session of the user (served by the
// {userId: 1, expiresAt: 1} index). An unknown user gives an empty slice.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	const op = "mongostore: fetch sessions for user"
	out := make([]narvik.Record, 0)
	if !storable(userID) {
		return out, nil
	}
	cur, err := s.coll.Find(ctx, bson.D{
		{Key: fieldUserID, Value: userID},
		{Key: fieldExpiresAt, Value: liveAt(now())},
	})
	if err != nil {
		return nil, storekit.Wrap(ctx, op, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	for cur.Next(ctx) {
		r, err := decodeRecord(cur.Current, "", false)
		if err != nil {
			return nil, storekit.Wrap(ctx, op, err)
		}
		out = append(out, r)
	}
	if err := cur.Err(); err != nil {
		return nil, storekit.Wrap(ctx, op, err)
	}
	return out, nil
}

// DeleteSessionsForUser removes every session of the user, live or expired.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if !storable(userID) {
		return nil
	}
	_, err := s.coll.DeleteMany(ctx, bson.D{{Key: fieldUserID, Value: userID}})
	return storekit.Wrap(ctx, "mongostore: delete sessions for user", err)
}

// DeleteAllExpiredSessions removes every document whose expiry is at or
// before now and returns how many this call removed. It does not rely on the
// TTL index, so it also cleans up on servers without one. Documents the TTL
// monitor removed first are not counted, which is why the count can be lower
// than the number of sessions that expired (see ExpiresNatively).
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	res, err := s.coll.DeleteMany(ctx, bson.D{
		{Key: fieldExpiresAt, Value: bson.D{{Key: "$lte", Value: now()}}},
	})
	if err != nil {
		return 0, storekit.Wrap(ctx, "mongostore: delete expired sessions", err)
	}
	return int(res.DeletedCount), nil
}
