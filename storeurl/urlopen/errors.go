package urlopen

import (
	"errors"
	"fmt"
)

// Errors of Parse and Open, matched with errors.Is. The error returned
// wraps one of them and the cause.
var (
	// ErrBadURL means the URL names no store this program can open: an
	// unknown form, a missing part, an invalid parameter, or a kind the
	// program was built without (NotBuiltInError). Nothing was contacted.
	ErrBadURL = errors.New("storeurl: bad store URL")
	// ErrUnreachable means the store could not be opened: the server did
	// not answer or refused the connection or the credentials, or the file
	// is missing or locked by another process. Nothing was written.
	ErrUnreachable = errors.New("storeurl: cannot open the store")
)

// NotBuiltInError is the error of a well-formed kind of URL for which the
// Set has no Opener: the program was built without that driver. It
// matches ErrBadURL; nothing was contacted. A program that chooses its
// drivers with build tags, as the demo app does, says here which tag
// brings the driver in.
type NotBuiltInError struct {
	// Kind is the kind of store the URL names.
	Kind Kind
	// URL is the URL, its password hidden.
	URL string
	// Forms lists the forms the Set opens.
	Forms string
}

func (e *NotBuiltInError) Error() string {
	return fmt.Sprintf("%v %s: this program was built without the %s driver; it opens %s", ErrBadURL, e.URL, e.Kind, e.Forms)
}

// Unwrap makes the error match ErrBadURL.
func (e *NotBuiltInError) Unwrap() error { return ErrBadURL }

// Refused marks an error of Parsed.Open as the driver refusing a value the
// URL gave (a key prefix, a table name, a client option) rather than the
// store failing to answer, so that Open reports it as ErrBadURL, not
// ErrUnreachable.
func Refused(err error) error { return refusedError{err} }

type refusedError struct{ err error }

func (e refusedError) Error() string { return e.err.Error() }
func (e refusedError) Unwrap() error { return e.err }
