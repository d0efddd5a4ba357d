package boltstore

import "errors"

// Errors returned by this package, matched with errors.Is. They come wrapped
// with the detail (path, session ID, bucket) that makes them actionable.
var (
	// ErrLocked is returned by Open when another process (or another Open in
	// this process) holds the database file and the lock was not released
	// within the timeout (see WithTimeout). The error also wraps bbolt's own
	// timeout error and names the file.
	ErrLocked = errors.New("boltstore: database file is locked by another process")

	// ErrCorrupt is returned when a stored value cannot be decoded or a
	// bucket the store needs is missing. No record is returned with it: a
	// damaged record never validates.
	ErrCorrupt = errors.New("boltstore: corrupt data")

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("boltstore: store is closed")
)
