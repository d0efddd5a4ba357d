package boltstore

import (
	"errors"
	"fmt"

	"github.com/narvik-go/narvik"
)

// Errors returned by this package, matched with errors.Is. They come wrapped
// with the detail (path, session ID, bucket) that makes them actionable.
// Everything else the store returns is narvik's vocabulary
// (narvik.ErrSessionNotFound, ErrDuplicateSession, ErrInvalidOption,
// ErrNilClient, ErrInvalidUserID, ErrInvalidSessionID) or bbolt's error,
// wrapped.
var (
	// ErrLocked is returned by Open when another process (or another Open in
	// this process) holds the database file and the lock was not released
	// within the timeout (see WithTimeout). The error also wraps bbolt's own
	// timeout error and names the file.
	ErrLocked = errors.New("boltstore: database file is locked by another process")

	// ErrCorrupt is returned when a stored value cannot be decoded, or when
	// a bucket the store ensured has been removed since. It wraps
	// narvik.ErrBadRecord. No record is returned with it: a damaged record
	// never validates.
	ErrCorrupt = fmt.Errorf("boltstore: corrupt data: %w", narvik.ErrBadRecord)

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("boltstore: store is closed")

	// ErrNoSchema is returned by every method of a store from New until its
	// EnsureSchema has succeeded: New does no I/O, so the store does not
	// know yet whether its buckets exist, or hold a layout it can read.
	// Nothing is wrong with the file; call EnsureSchema once after New.
	// (Open calls it itself.)
	ErrNoSchema = errors.New("boltstore: buckets not ensured: call EnsureSchema after New")
)
