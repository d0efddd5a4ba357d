package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/narvik-go/narvik"
)

// Store is a narvik.SessionStore backed by one MongoDB collection. It is safe
// for concurrent use. It holds no goroutines of its own: the *mongo.Client
// that owns the collection is the caller's, and so is its Disconnect.
type Store struct {
	coll   *mongo.Collection
	logger *slog.Logger

	// ttlWarned makes the "server refused the TTL index" warning appear once
	// per Store, however often EnsureIndexes runs.
	ttlWarned sync.Once
	// noTTL is set once the server has refused the TTL index: only then is
	// it known that nothing but DeleteAllExpiredSessions removes expired
	// documents.
	noTTL atomic.Bool
}

var (
	_ narvik.SessionStore = (*Store)(nil)
	_ narvik.NativeExpiry = (*Store)(nil)
)

// New returns a Store that keeps sessions in coll and, unless
// WithoutIndexCreation is given, creates its indexes (see EnsureIndexes).
//
// The store works on a clone of coll with majority write concern, "local"
// read concern and primary read preference, whatever coll was configured
// with: see the package doc for why. coll itself is not changed.
func New(ctx context.Context, coll *mongo.Collection, opts ...Option) (*Store, error) {
	if coll == nil {
		return nil, errors.New("mongostore: New: nil collection")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s := &Store{
		coll: coll.Clone(options.Collection().
			SetWriteConcern(writeconcern.Majority()).
			SetReadConcern(readconcern.Local()).
			SetReadPreference(readpref.Primary())),
		logger: cfg.logger,
	}
	if cfg.ensureIndexes {
		if err := s.EnsureIndexes(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ExpiresNatively reports whether the server may remove expired sessions by
// itself (its TTL monitor), so that DeleteAllExpiredSessions can find fewer
// documents than expired. It is true unless EnsureIndexes saw the server
// refuse the TTL index (FerretDB): then the store alone removes expired
// documents and DeleteAllExpiredSessions counts every one of them. With
// WithoutIndexCreation the store cannot know and keeps the safe answer, true.
func (s *Store) ExpiresNatively() bool { return !s.noTTL.Load() }

// now is the instant against which expiry is judged, in the BSON date's
// precision. Truncating keeps "expiresAt > now" exact: a stored expiry (whole
// milliseconds) is after the truncated instant exactly when it is after the
// real one.
func now() time.Time { return time.Now().Truncate(time.Millisecond) }

// live matches documents whose expiry is still in the future.
func live(t time.Time) bson.D { return bson.D{{Key: "$gt", Value: t}} }

// SaveSession inserts r. An existing document with the same ID, live or
// expired, gives narvik.ErrDuplicateSession and is left as it was.
func (s *Store) SaveSession(ctx context.Context, r narvik.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongostore: save session: %w", err)
	}
	_, err := s.coll.InsertOne(ctx, toDocument(r))
	if mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongostore: save session: %w", narvik.ErrDuplicateSession)
	}
	if err != nil {
		return fmt.Errorf("mongostore: save session: %w", err)
	}
	return nil
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
	if err := ctx.Err(); err != nil {
		return narvik.Record{}, fmt.Errorf("mongostore: fetch session: %w", err)
	}
	var d document
	err := s.coll.FindOne(ctx, bson.D{{Key: fieldID, Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return narvik.Record{}, fmt.Errorf("mongostore: fetch session: %w", narvik.ErrSessionNotFound)
	}
	if err != nil {
		return narvik.Record{}, fmt.Errorf("mongostore: fetch session: %w", err)
	}
	if !d.ExpiresAt.After(time.Now()) {
		return narvik.Record{}, fmt.Errorf("mongostore: fetch session: %w", narvik.ErrSessionNotFound)
	}
	return d.record(), nil
}

// UpdateSessionExpiry sets the expiry of a live session. The filter includes
// "not expired" and the update never upserts, so an update that loses a race
// with a delete (or with expiry) changes nothing and reports
// narvik.ErrSessionNotFound instead of bringing the session back.
func (s *Store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongostore: update session expiry: %w", err)
	}
	res, err := s.coll.UpdateOne(ctx,
		bson.D{
			{Key: fieldID, Value: id},
			{Key: fieldExpiresAt, Value: live(now())},
		},
		bson.D{{Key: "$set", Value: bson.D{{Key: fieldExpiresAt, Value: expiresAt}}}},
	)
	if err != nil {
		return fmt.Errorf("mongostore: update session expiry: %w", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mongostore: update session expiry: %w", narvik.ErrSessionNotFound)
	}
	return nil
}

// DeleteSession removes the session. A missing session is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongostore: delete session: %w", err)
	}
	if _, err := s.coll.DeleteOne(ctx, bson.D{{Key: fieldID, Value: id}}); err != nil {
		return fmt.Errorf("mongostore: delete session: %w", err)
	}
	return nil
}

// FetchSessionsForUser returns every live session of the user (served by the
// {userId: 1, expiresAt: 1} index). An unknown user gives an empty slice.
func (s *Store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("mongostore: fetch sessions for user: %w", err)
	}
	cur, err := s.coll.Find(ctx, bson.D{
		{Key: fieldUserID, Value: userID},
		{Key: fieldExpiresAt, Value: live(now())},
	})
	if err != nil {
		return nil, fmt.Errorf("mongostore: fetch sessions for user: %w", err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	out := make([]narvik.Record, 0)
	for cur.Next(ctx) {
		var d document
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongostore: fetch sessions for user: decode: %w", err)
		}
		out = append(out, d.record())
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("mongostore: fetch sessions for user: %w", err)
	}
	return out, nil
}

// DeleteSessionsForUser removes every session of the user, live or expired.
func (s *Store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongostore: delete sessions for user: %w", err)
	}
	if _, err := s.coll.DeleteMany(ctx, bson.D{{Key: fieldUserID, Value: userID}}); err != nil {
		return fmt.Errorf("mongostore: delete sessions for user: %w", err)
	}
	return nil
}

// DeleteAllExpiredSessions removes every document whose expiry is at or
// before now and returns how many this call removed. It does not rely on the
// TTL index, so it also cleans up on servers without one. Documents the TTL
// monitor removed first are not counted, which is why the count can be lower
// than the number of sessions that expired (see ExpiresNatively).
func (s *Store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("mongostore: delete expired sessions: %w", err)
	}
	res, err := s.coll.DeleteMany(ctx, bson.D{
		{Key: fieldExpiresAt, Value: bson.D{{Key: "$lte", Value: now()}}},
	})
	if err != nil {
		return 0, fmt.Errorf("mongostore: delete expired sessions: %w", err)
	}
	return int(res.DeletedCount), nil
}
