package redisstore

import (
	"context"
	"time"

	"github.com/narvik-go/narvik"
)

// On a standalone server each write is one Lua script: one round trip
// (EVALSHA; the first call after the server lost its script cache falls back
// to EVAL once), and the session and its index change together or not at all.

func (s *Store) saveSingle(ctx context.Context, r narvik.Record, encUser string, value []byte) error {
	keys := []string{s.sessionKey(r.ID), s.indexKey(encUser)}
	n, err := singleSave.Run(ctx, s.client, keys, value, ms(r.ExpiresAt), ms(s.now()), r.ID).Int64()
	if err != nil {
		return fail(ctx, "save session", err)
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
		return fail(ctx, "update session expiry", err)
	}
	return checkResult("UpdateSessionExpiry", id, n)
}

func (s *Store) deleteSingle(ctx context.Context, id string) error {
	err := singleDelete.Run(ctx, s.revoker(), []string{s.sessionKey(id)}, ms(s.now()), s.userPrefix, id).Err()
	if err != nil {
		return fail(ctx, "delete session", err)
	}
	return nil
}
