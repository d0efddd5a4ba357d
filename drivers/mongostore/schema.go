package mongostore

import (
	"context"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/narvik-go/narvik/storekit"
)

// Index names, part of the documented layout (they are MongoDB's default
// names for these key patterns, so indexes created by hand with the same keys
// are recognised as the same index).
const (
	// UserIndexName is the index {userId: 1, expiresAt: 1}: per-user reads
	// and deletes.
	UserIndexName = "userId_1_expiresAt_1"
	// ExpiryIndexName is the index {expiresAt: 1}. Where the server supports
	// it, it is a TTL index with expireAfterSeconds: 0, so the server's TTL
	// monitor removes expired sessions; otherwise it is a plain index that
	// keeps DeleteAllExpiredSessions from scanning the collection.
	ExpiryIndexName = "expiresAt_1"
)

// EnsureSchema creates the store's indexes if they are missing
// (narvik.SchemaEnsurer). It is idempotent and cheap when they exist (the
// server answers createIndexes for an existing index without building
// anything), so an application may call it at every start. The package doc
// lists the indexes for those who create them with their own tools instead.
//
// The TTL index is created in a createIndexes call of its own: a server that
// refuses TTL indexes (FerretDB answers NotImplemented, code 238) fails the
// whole call, which must not take the per-user index down with it. Such a
// refusal is not an error: the store filters expired sessions on every read
// and DeleteAllExpiredSessions removes them, so it logs one warning per Store
// and creates a plain {expiresAt: 1} index in its place.
func (s *Store) EnsureSchema(ctx context.Context) error {
	const op = "mongostore: ensure schema"
	iv := s.coll.Indexes()
	_, err := iv.CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: fieldUserID, Value: 1}, {Key: fieldExpiresAt, Value: 1}},
		Options: options.Index().SetName(UserIndexName),
	})
	if err != nil {
		return storekit.Wrap(ctx, op+": index "+UserIndexName, err)
	}

	expiryKeys := bson.D{{Key: fieldExpiresAt, Value: 1}}
	_, err = iv.CreateOne(ctx, mongo.IndexModel{
		Keys:    expiryKeys,
		Options: options.Index().SetName(ExpiryIndexName).SetExpireAfterSeconds(0),
	})
	if err == nil {
		return nil
	}
	if !isCode(err, codeNotImplemented) {
		return storekit.Wrap(ctx, op+": TTL index "+ExpiryIndexName, err)
	}
	s.noTTL.Store(true)
	s.ttlWarned.Do(func() {
		s.logger.LogAttrs(ctx, slog.LevelWarn,
			"mongostore: the server refused the TTL index; expired sessions stay on disk until DeleteAllExpiredSessions runs (reads ignore them)",
			slog.String("collection", s.coll.Database().Name()+"."+s.coll.Name()),
			slog.String("index", ExpiryIndexName),
			slog.String("error", err.Error()),
		)
	})
	_, err = iv.CreateOne(ctx, mongo.IndexModel{
		Keys:    expiryKeys,
		Options: options.Index().SetName(ExpiryIndexName),
	})
	return storekit.Wrap(ctx, op+": index "+ExpiryIndexName, err)
}

// EnsureIndexes is the old name of EnsureSchema.
//
// Deprecated: use EnsureSchema, the name every narvik driver with a schema
// uses (narvik.SchemaEnsurer).
func (s *Store) EnsureIndexes(ctx context.Context) error { return s.EnsureSchema(ctx) }
