package narvik

import "time"

// Session is a validated session with its typed data.
//
// Data went through the codec (JSON by default, see WithCodec) on its way
// to the store and back: with JSON, unexported struct fields come back
// empty and no error says so.
type Session[D any] struct {
	// ID is the session ID, the hex SHA-256 of the token. Pass it to
	// InvalidateSession; it is safe to show and log, the token is not.
	ID     string
	UserID string
	// ExpiresAt is when the session ends unless it is extended.
	ExpiresAt time.Time
	CreatedAt time.Time
	// Data is the data given to CreateSession, decoded.
	Data D
	// New is true only on the session CreateSession returns, as in narvik:
	// that session's token still has to reach the client (set the cookie).
	// ValidateSession and FetchSessionsForUser never set it, so after a
	// validation test Extended alone.
	New bool
	// Extended is true when this validation extended the session: re-set the
	// cookie so its lifetime follows. Neither flag is ever stored.
	Extended bool
}

// CreateSessionResult is what CreateSession returns: the token goes to the
// client (in the cookie); only its hash is stored.
type CreateSessionResult[D any] struct {
	Token   string
	Session *Session[D]
}
