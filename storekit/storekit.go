// Package storekit is the driver kit: what every narvik.SessionStore driver
// needs and would otherwise write again. Every driver in this repository
// uses it, and a third-party driver may too. It holds no state and starts
// nothing.
//
// The rules it encodes are the store contract's (see narvik.SessionStore):
// one error vocabulary (errors wrapping narvik.ErrBadRecord,
// ErrInvalidOption, ErrNilClient, ErrInvalidUserID, ErrInvalidSessionID),
// one meaning of "live", and context errors that stay matchable whatever the
// client wrapped.
//
// A driver package is laid out the same way everywhere, one file per role:
//
//	doc.go       what a user needs: layout on the server, cost of each call, consistency, configuration
//	store.go     the Store type, New (no I/O) and its options
//	sessions.go  the seven methods of narvik.SessionStore
//	cleanup.go   DeleteAllExpiredSessions, when it is more than a line
//	schema.go    EnsureSchema (narvik.SchemaEnsurer), for drivers that need one
//	walk.go      AllSessions (narvik.Enumerator)
//	errors.go    the driver's own sentinels, each wrapping a narvik one
package storekit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/narvik-go/narvik"
)

// Wrap returns err prefixed with what (such as "redisstore: fetch
// session"), or nil when err is nil. When ctx is done, the result also
// matches ctx.Err() with errors.Is, even when the client reported the
// cancellation as an error of its own (a closed connection, a network
// timeout) without wrapping the context's error. A timeout reported once
// ctx's deadline has passed matches context.DeadlineExceeded too, even in
// the instant before ctx itself ends: Go's network poller holds the same
// deadline and can fail a dial or read with os.ErrDeadlineExceeded first.
func Wrap(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	cerr := ctx.Err()
	if cerr == nil && isTimeout(err) {
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			cerr = context.DeadlineExceeded
		}
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %w: %w", what, cerr, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// isTimeout reports whether err is a client's timeout: the poller's
// deadline error, or a net.Error that says it timed out.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// Live reports whether a record that expires at expiresAt is live at now:
// now is strictly before expiresAt. A record whose expiry equals now is
// expired, as narvik defines it. This is the only meaning of "live" in the
// drivers.
func Live(expiresAt, now time.Time) bool { return now.Before(expiresAt) }

// InvalidOption returns an error wrapping narvik.ErrInvalidOption that names
// the driver and says what is wrong and what is accepted.
func InvalidOption(driver, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", narvik.ErrInvalidOption, driver, fmt.Sprintf(format, args...))
}

// NilClient returns the error of a constructor given a nil client, wrapping
// narvik.ErrNilClient; what names the parameter's type, such as
// "*redis.Client".
func NilClient(driver, what string) error {
	return fmt.Errorf("%s: New: nil %s: %w", driver, what, narvik.ErrNilClient)
}

// BadRecord returns an error wrapping narvik.ErrBadRecord for a stored value
// of session id that the driver cannot decode or did not write.
func BadRecord(driver, id string, format string, args ...any) error {
	return fmt.Errorf("%s: session %s: %s: %w", driver, Short(id), fmt.Sprintf(format, args...), narvik.ErrBadRecord)
}

// InvalidUserID returns an error wrapping narvik.ErrInvalidUserID: the
// driver cannot hold userID exactly, for the reason why.
func InvalidUserID(driver, userID, why string) error {
	return fmt.Errorf("%s: user ID %s: %s: %w", driver, Short(userID), why, narvik.ErrInvalidUserID)
}

// ValidSessionID reports whether id is 64 lowercase hex characters, the
// only kind of session ID the core sends.
func ValidSessionID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// CheckSessionID returns nil for a valid session ID and otherwise an error
// wrapping narvik.ErrInvalidSessionID, for drivers whose storage keeps IDs
// in a form that could fold or trim them (a CHAR(64) column, say).
func CheckSessionID(driver, id string) error {
	if ValidSessionID(id) {
		return nil
	}
	return fmt.Errorf("%s: session ID %s: %w", driver, Short(id), narvik.ErrInvalidSessionID)
}

// Apply applies opts to c in order, skipping nil ones: the loop of every
// driver's New.
func Apply[C any, O ~func(*C)](c *C, opts []O) {
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
}

// Short quotes s for an error message, abbreviating it past 40 bytes so
// that a 1 KiB user ID does not flood a log.
func Short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q...(%d bytes)", s[:32], len(s))
	}
	return fmt.Sprintf("%q", s)
}
