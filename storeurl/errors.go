package storeurl

import "github.com/narvik-go/narvik/storeurl/urlopen"

// Errors of Open and Parse, matched with errors.Is. The error returned
// wraps one of them and the cause. They are urlopen's, so a program that
// uses both packages matches either name.
var (
	// ErrBadURL means the URL names no store this package can open: an
	// unknown form, a missing part, an invalid parameter. Nothing was
	// contacted.
	ErrBadURL = urlopen.ErrBadURL
	// ErrUnreachable means the store could not be opened: the server did
	// not answer or refused the connection or the credentials, or the file
	// is missing or locked by another process. Nothing was written.
	ErrUnreachable = urlopen.ErrUnreachable
)
