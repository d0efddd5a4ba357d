package redisstore

import (
	"errors"
	"fmt"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// Errors of this package, matched with errors.Is. Each wraps the narvik
// error of the same meaning, so code written against any driver matches
// them too.
var (
	// ErrCorruptRecord means a key in the store's namespace holds a value
	// this package did not write. No record is returned with it. It wraps
	// narvik.ErrBadRecord.
	ErrCorruptRecord = fmt.Errorf("redisstore: corrupt session value: %w", narvik.ErrBadRecord)

	// ErrUnsafeEvictionPolicy is returned by CheckServer when a server's
	// maxmemory-policy may evict keys that have no TTL (the allkeys-*
	// policies), a user's index among them: DeleteSessionsForUser would
	// then miss that user's sessions while they still validate.
	ErrUnsafeEvictionPolicy = errors.New("redisstore: unsafe maxmemory-policy")

	// ErrNilClient is returned by New when the client is nil.
	//
	// Deprecated: match narvik.ErrNilClient, which this is.
	ErrNilClient = narvik.ErrNilClient
)

// driver names this package in the errors built with storekit.
const driver = "redisstore"

// corrupt returns an error wrapping ErrCorruptRecord (and so
// narvik.ErrBadRecord) for the value of session id.
func corrupt(id, format string, args ...any) error {
	return fmt.Errorf("%w: session %s: %s", ErrCorruptRecord, storekit.Short(id), fmt.Sprintf(format, args...))
}

// ErrReplicaAck means a write was made on the primary but fewer replicas
// than WithReplicaAcks asks for confirmed it in time (or the confirmation
// could not be had at all: a connection lost after the write, a timeout).
// The write may survive a failover or be lost in one; nothing was undone.
// Retry the call: revocations are idempotent.
var ErrReplicaAck = errors.New("redisstore: write not acknowledged by enough replicas")
