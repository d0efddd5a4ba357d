package storeurl

import "errors"

// Errors of Open and Parse, matched with errors.Is. The error returned
// wraps one of them and the cause.
var (
	// ErrBadURL means the URL names no store this package can open: an
	// unknown form, a missing part, an invalid parameter. Nothing was
	// contacted.
	ErrBadURL = errors.New("storeurl: bad store URL")
	// ErrUnreachable means the store could not be opened: the server did
	// not answer or refused the connection or the credentials, or the file
	// is missing or locked by another process. Nothing was written.
	ErrUnreachable = errors.New("storeurl: cannot open the store")
)
