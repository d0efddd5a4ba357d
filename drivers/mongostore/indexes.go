package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
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

// codeNotImplemented is what FerretDB answers to expireAfterSeconds.
const codeNotImplemented = 238

// EnsureIndexes creates the store's indexes if they are missing. It is
// idempotent and New runs it unless WithoutIndexCreation is given.
//
// The TTL index is created in a createIndexes call of its own: a server that
// refuses TTL indexes (FerretDB answers NotImplemented, code 238) fails the
// whole call, which must not take the per-user index down with it. Such a
// refusal is not an error: the store filters expired sessions on every read
// and DeleteAllExpiredSessions removes them, so it logs one warning per Store
// and creates a plain {expiresAt: 1} index in its place.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mongostore: ensure indexes: %w", err)
	}
	iv := s.coll.Indexes()
	_, err := iv.CreateOne(ctx, mongo.IndexModel{
		Keys:    bson.D{{Key: fieldUserID, Value: 1}, {Key: fieldExpiresAt, Value: 1}},
		Options: options.Index().SetName(UserIndexName),
	})
	if err != nil {
		return fmt.Errorf("mongostore: ensure indexes: %s: %w", UserIndexName, err)
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
		return fmt.Errorf("mongostore: ensure indexes: TTL index %s: %w", ExpiryIndexName, err)
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
	if err != nil {
		return fmt.Errorf("mongostore: ensure indexes: %s: %w", ExpiryIndexName, err)
	}
	return nil
}

// isCode reports whether err is a server error with the given code.
func isCode(err error, code int) bool {
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(code)
}
