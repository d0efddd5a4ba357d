package narvik

import (
	"context"
	"time"
)

// Observer is told the outcome of every operation of a Narvik: the numbers
// an operator asks for (validations by outcome, sessions created, revoked
// and swept) without wrapping anything. Package narvikotel implements it
// with OpenTelemetry metrics and traces; the core itself imports nothing
// for it.
//
// Observe is called synchronously, once per operation, after the operation
// finished and before it returns to its caller, so it must be fast, must
// not block and must be safe for concurrent use. It is never given a token.
// Without WithObserver nothing is measured or called: the core's hot path
// costs the same as before. An Observer that also implements StartObserver
// is told when each operation begins, too.
type Observer interface {
	Observe(ctx context.Context, e Event)
}

// StartObserver is an Observer that is also told when an operation begins.
// Start is called before the operation's first step, and the context it
// returns is the one the operation hands to its store calls and then to
// Observe. A tracing observer starts the operation's span there, so that the
// spans of the store calls nest under it: an observer told only at the end
// cannot be their parent. Like Observe, Start must be fast, must not block
// and must be safe for concurrent use.
type StartObserver interface {
	Observer
	Start(ctx context.Context, op Op) context.Context
}

// Event describes one finished operation of a Narvik.
type Event struct {
	Op      Op
	Outcome Outcome
	// Count is how many sessions the operation listed (OpListUser) or
	// removed (OpDeleteExpired); 0 for the others.
	Count int
	// Err is the error the operation returned (OutcomeError and
	// OutcomeRefused), nil otherwise.
	Err error
	// Duration is how long the operation took, store calls included.
	Duration time.Duration
}

// Op names an operation of Narvik.
type Op uint8

// The operations an Observer is told about.
const (
	OpCreate         Op = iota + 1 // CreateSession
	OpValidate                     // ValidateSession
	OpInvalidate                   // InvalidateSession: sign out one session
	OpInvalidateUser               // DeleteSessionsForUser: sign out everywhere
	OpListUser                     // FetchSessionsForUser
	OpDeleteExpired                // DeleteAllExpiredSessions
)

// String returns the operation's name as metrics and spans carry it, such
// as "validate" or "invalidate_user".
func (o Op) String() string {
	switch o {
	case OpCreate:
		return "create"
	case OpValidate:
		return "validate"
	case OpInvalidate:
		return "invalidate"
	case OpInvalidateUser:
		return "invalidate_user"
	case OpListUser:
		return "list_user"
	case OpDeleteExpired:
		return "delete_expired"
	}
	return "unknown"
}

// Outcome is how an operation ended.
type Outcome uint8

// The outcomes of operations. ValidateSession ends in one of Valid,
// Extended, NotFound, Malformed or Error; the other operations in OK,
// Refused or Error.
const (
	OutcomeOK        Outcome = iota + 1 // the operation did what it was asked
	OutcomeValid                        // a live session, not extended
	OutcomeExtended                     // a live session, extended by this validation
	OutcomeNotFound                     // a well-formed token of no live session: unknown, expired or revoked
	OutcomeMalformed                    // a token narvik could not have issued; the store was not asked
	OutcomeRefused                      // bad input from the caller (an empty user ID, data that does not encode); nothing changed
	OutcomeError                        // the store failed or returned a record the core cannot trust; no session was given
)

// String returns the outcome's name as metrics and spans carry it, such as
// "valid" or "not_found".
func (o Outcome) String() string {
	switch o {
	case OutcomeOK:
		return "ok"
	case OutcomeValid:
		return "valid"
	case OutcomeExtended:
		return "extended"
	case OutcomeNotFound:
		return "not_found"
	case OutcomeMalformed:
		return "malformed"
	case OutcomeRefused:
		return "refused"
	case OutcomeError:
		return "error"
	}
	return "unknown"
}

// WithObserver makes New report every operation to o (see Observer). A nil
// o reports nothing.
func WithObserver(o Observer) Option {
	return func(c *config) { c.observer = o }
}

// outcome is OutcomeOK, or the outcome of err: refused for the caller's own
// mistakes, error for everything else.
func outcome(err error) Outcome {
	switch {
	case err == nil:
		return OutcomeOK
	case isRefusal(err):
		return OutcomeRefused
	}
	return OutcomeError
}
