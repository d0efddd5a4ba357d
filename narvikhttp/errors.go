package narvikhttp

import "errors"

// Errors passed to the error handler (see WithErrorHandler) and returned by
// New, matched with errors.Is.
var (
	// ErrInvalidOption is returned by New when an option's value is unusable,
	// for instance a trusted origin that is not scheme://host[:port].
	ErrInvalidOption = errors.New("narvikhttp: invalid option")
	// ErrCrossOrigin is given to the error handler when the CSRF check
	// rejects an unsafe request. The default error handler answers 403.
	ErrCrossOrigin = errors.New("narvikhttp: cross-origin request rejected")
)
