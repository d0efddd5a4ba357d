package narvik

import "errors"

// Errors returned by the core, matched with errors.Is. Store errors are
// passed through wrapped, so errors.Is also finds the store's own errors.
var (
	// ErrNilStore is returned by New when the store is nil.
	ErrNilStore = errors.New("narvik: nil SessionStore")
	// ErrInvalidOption is returned by New when an option's value is unusable
	// (a non-positive duration, a bad cookie name, SameSite=None without
	// Secure, ...). The wrapping error says which.
	ErrInvalidOption = errors.New("narvik: invalid option")
	// ErrEmptyUserID is returned when a user ID is empty.
	ErrEmptyUserID = errors.New("narvik: empty user ID")
	// ErrEncodeData is returned by CreateSession when the session data cannot
	// be encoded; nothing is saved.
	ErrEncodeData = errors.New("narvik: cannot encode session data")
	// ErrBadRecord is returned when a store hands back a record the core
	// cannot trust: data that does not decode, a record for another ID or
	// user, a record without a user. Drivers wrap it too, for a stored value
	// they cannot decode. No session is returned with it.
	ErrBadRecord = errors.New("narvik: unusable session record")
)
