package narvikhttp

import (
	"errors"
	"fmt"

	"github.com/narvik-go/narvik"
)

// Errors passed to the error handler (see WithErrorHandler) and returned by
// New, matched with errors.Is.
var (
	// ErrInvalidOption is returned by New when an option's value is unusable,
	// for instance a trusted origin that is not scheme://host[:port]. It is
	// narvik.ErrInvalidOption itself, so one errors.Is test covers both
	// packages.
	ErrInvalidOption = narvik.ErrInvalidOption
	// ErrCrossOrigin is given to the error handler when the CSRF check
	// rejects an unsafe request. The default error handler answers 403.
	ErrCrossOrigin = errors.New("narvikhttp: cross-origin request rejected")
)

// errNoOrigin is the CSRF check's refusal of a request with no Origin,
// Referer or Sec-Fetch-Site header: no evidence at all, rather than evidence
// of another site. It wraps ErrCrossOrigin.
var errNoOrigin = fmt.Errorf("%w: the request has no Sec-Fetch-Site, Origin or Referer header; send Origin, or use a Bearer token", ErrCrossOrigin)
