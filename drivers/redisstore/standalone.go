package redisstore

import (
	"context"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// On a standalone server each write is one Lua script: one round trip
// (EVALSHA; the first call after the server lost its script cache falls back
// to EVAL once), and the session and its index change together or not at all.

func (s *Store) saveSingle(ctx context.Context, r narvik.Record, encUser string, value []byte) error {
	keys := []string{s.sessionKey(r.ID), s.indexKey(encUser)}
	n, err := singleSave.Run(ctx, s.client, keys, value, ms(r.ExpiresAt), ms(s.now()), r.ID).Int64()
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: save session", err)
	}
	if n == 0 {
		return narvik.ErrDuplicateSession
	}
	return nil
}

func (s *Store) updateSingle(ctx context.Context, id string, expiresAt time.Time) error {
	n, err := singleUpdate.Run(ctx, s.revoker(), []string{s.sessionKey(id)},
		ms(s.now()), ms(expiresAt), expiresBytes(expiresAt), s.userPrefix, id).Int64()
	if err != nil {
		return storekit.Wrap(ctx, "redisstore: update session expiry", err)
	}
	return checkResult("UpdateSessionExpiry", id, n)
}

func (s *Store) deleteSingle(ctx context.Context, id string) error {
	err := singleDelete.Run(ctx, s.revoker(), []string{s.sessionKey(id)}, ms(s.now()), s.userPrefix, id).Err()
	return storekit.Wrap(ctx, "redisstore: delete session", err)
}

func (s *Store) deleteUserSingle(ctx context.Context, encUser string) error {
	err := singleDeleteUser.Run(ctx, s.revoker(), []string{s.indexKey(encUser)}, s.sessPrefix, ownerField(encUser)).Err()
	return storekit.Wrap(ctx, "redisstore: delete sessions for user", err)
}
