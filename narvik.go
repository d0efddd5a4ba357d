package narvik

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Narvik creates, validates and ends sessions whose data is of type D, over a
// SessionStore. It is safe for concurrent use and holds no goroutines.
type Narvik[D any] struct {
	store     SessionStore
	expiresIn time.Duration
	now       func() time.Time
	codec     dataCodec[D]
	noData    bool   // D has size zero: nothing to encode or decode
	cookie    Cookie // template for CreateCookie: name and attributes
	observer  Observer
	starter   StartObserver // observer, when it wants to know when operations begin
}

// New returns a Narvik over store. It fails with ErrNilStore for a nil store
// and with ErrInvalidOption, naming the rule, for an unusable option or
// combination of options (see the options' docs and Cookie.Valid).
//
// Session data of type D is encoded with JSON unless WithCodec says
// otherwise, so only what encoding/json keeps survives a round trip: a
// struct's unexported fields come back empty, with no error. Give D
// exported fields, or pass a Codec that keeps what you need.
func New[D any](store SessionStore, opts ...Option) (*Narvik[D], error) {
	if store == nil {
		return nil, ErrNilStore
	}
	c := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	attrs := c.attrs
	switch {
	case c.browserSession:
		attrs.MaxAge = NoMaxAge
	case c.cookieExpiresIn > 0:
		attrs.MaxAge = int(c.cookieExpiresIn / time.Second)
	default:
		attrs.MaxAge = int(c.expiresIn / time.Second)
	}
	starter, _ := c.observer.(StartObserver)
	return &Narvik[D]{
		store:     store,
		expiresIn: c.expiresIn,
		now:       c.now,
		codec:     newDataCodec[D](&c),
		noData:    reflect.TypeFor[D]().Size() == 0,
		cookie:    Cookie{Name: c.cookieName, Attributes: attrs},
		observer:  c.observer,
		starter:   starter,
	}, nil
}

// begin tells a StartObserver that op begins and returns the context the
// operation runs with.
func (n *Narvik[D]) begin(ctx context.Context, op Op) context.Context {
	if n.starter == nil {
		return ctx
	}
	return n.starter.Start(ctx, op)
}

// ms rounds t down to a whole millisecond, the precision every store keeps,
// so that what CreateSession returns equals what any store gives back.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// isRefusal reports whether err is the caller's own mistake rather than a
// failure of the store.
func isRefusal(err error) bool {
	return errors.Is(err, ErrEmptyUserID) || errors.Is(err, ErrEncodeData) || errors.Is(err, ErrInvalidUserID)
}

// CreateSession creates a session for userID with data and saves it. The
// returned token goes to the client; the store sees only its hash.
//
// Data is encoded by D's own methods when *D implements DataMarshaler and
// DataUnmarshaler, and with JSON otherwise (see WithCodec): with JSON, only
// exported fields are kept, so a struct with unexported fields comes back
// from ValidateSession without them, and no error says so.
func (n *Narvik[D]) CreateSession(ctx context.Context, userID string, data D) (*CreateSessionResult[D], error) {
	if n.observer == nil {
		return n.create(ctx, userID, data)
	}
	ctx = n.begin(ctx, OpCreate)
	start := time.Now()
	res, err := n.create(ctx, userID, data)
	n.observer.Observe(ctx, Event{Op: OpCreate, Outcome: outcome(err), Err: err, Duration: time.Since(start)})
	return res, err
}

func (n *Narvik[D]) create(ctx context.Context, userID string, data D) (*CreateSessionResult[D], error) {
	if userID == "" {
		return nil, ErrEmptyUserID
	}
	var encoded []byte
	if !n.noData {
		var err error
		if encoded, err = n.codec.marshal(&data); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEncodeData, err)
		}
	}
	token, err := generateToken()
	if err != nil {
		return nil, fmt.Errorf("narvik: generate token: %w", err)
	}
	now := ms(n.now())
	r := Record{
		ID:        SessionIDFromToken(token),
		UserID:    userID,
		ExpiresAt: ms(now.Add(n.expiresIn)),
		CreatedAt: now,
		Data:      encoded,
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := n.store.SaveSession(ctx, r); err != nil {
		return nil, fmt.Errorf("narvik: save session: %w", err)
	}
	return &CreateSessionResult[D]{
		Token: token,
		Session: &Session[D]{
			ID:        r.ID,
			UserID:    userID,
			ExpiresAt: r.ExpiresAt,
			CreatedAt: r.CreatedAt,
			Data:      data,
			New:       true,
		},
	}, nil
}

// ValidateSession returns the session the token names, or (nil, nil) when
// the token is unknown, expired or malformed. It returns an error only when
// the store fails or hands back an unusable record, and then never a session.
//
// An expired session is deleted. A session with half of its length or less
// left is extended to now + length and returned with Extended set: re-set
// the cookie then. A token that is not 32 characters of [a-z2-7] is answered
// without a store call.
func (n *Narvik[D]) ValidateSession(ctx context.Context, token string) (*Session[D], error) {
	if n.observer == nil {
		s, _, err := n.validate(ctx, token)
		return s, err
	}
	ctx = n.begin(ctx, OpValidate)
	start := time.Now()
	s, out, err := n.validate(ctx, token)
	n.observer.Observe(ctx, Event{Op: OpValidate, Outcome: out, Err: err, Duration: time.Since(start)})
	return s, err
}

func (n *Narvik[D]) validate(ctx context.Context, token string) (*Session[D], Outcome, error) {
	if !wellFormedToken(token) {
		return nil, OutcomeMalformed, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, OutcomeError, err
	}
	id := SessionIDFromToken(token)
	r, err := n.store.FetchSession(ctx, id)
	if errors.Is(err, ErrSessionNotFound) {
		return nil, OutcomeNotFound, nil
	}
	if err != nil {
		return nil, OutcomeError, fmt.Errorf("narvik: fetch session: %w", err)
	}
	if r.ID != id {
		return nil, OutcomeError, fmt.Errorf("%w: asked the store for session %s, got %s", ErrBadRecord, id, r.ID)
	}
	if r.UserID == "" {
		return nil, OutcomeError, fmt.Errorf("%w: session %s has no user ID", ErrBadRecord, id)
	}
	now := n.now()
	if !now.Before(r.ExpiresAt) {
		if err := ctx.Err(); err != nil {
			return nil, OutcomeError, err
		}
		if err := n.store.DeleteSession(ctx, id); err != nil {
			return nil, OutcomeError, fmt.Errorf("narvik: delete expired session: %w", err)
		}
		return nil, OutcomeNotFound, nil
	}
	s, err := n.session(r)
	if err != nil {
		return nil, OutcomeError, err
	}
	if now.Before(r.ExpiresAt.Add(-n.expiresIn / 2)) {
		return s, OutcomeValid, nil
	}
	expiresAt := ms(now.Add(n.expiresIn))
	if err := ctx.Err(); err != nil {
		return nil, OutcomeError, err
	}
	err = n.store.UpdateSessionExpiry(ctx, id, expiresAt)
	if errors.Is(err, ErrSessionNotFound) {
		return nil, OutcomeNotFound, nil // deleted or expired meanwhile
	}
	if err != nil {
		return nil, OutcomeError, fmt.Errorf("narvik: extend session: %w", err)
	}
	s.ExpiresAt = expiresAt
	s.Extended = true
	return s, OutcomeExtended, nil
}

// session decodes a record into a Session.
func (n *Narvik[D]) session(r Record) (*Session[D], error) {
	s := &Session[D]{ID: r.ID, UserID: r.UserID, ExpiresAt: r.ExpiresAt, CreatedAt: r.CreatedAt}
	// A zero-size D (struct{}) carries nothing, so it skips the codec.
	if len(r.Data) > 0 && !n.noData {
		if err := n.codec.unmarshal(r.Data, &s.Data); err != nil {
			return nil, fmt.Errorf("%w: session %s: decode data: %w", ErrBadRecord, r.ID, err)
		}
	}
	return s, nil
}

// InvalidateSession deletes the session with this ID (the ID, not the
// token: see Session.ID). Invalidating a missing session is not an error.
func (n *Narvik[D]) InvalidateSession(ctx context.Context, sessionID string) error {
	if n.observer == nil {
		return n.invalidate(ctx, sessionID)
	}
	ctx = n.begin(ctx, OpInvalidate)
	start := time.Now()
	err := n.invalidate(ctx, sessionID)
	n.observer.Observe(ctx, Event{Op: OpInvalidate, Outcome: outcome(err), Err: err, Duration: time.Since(start)})
	return err
}

func (n *Narvik[D]) invalidate(ctx context.Context, sessionID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.store.DeleteSession(ctx, sessionID); err != nil {
		return fmt.Errorf("narvik: delete session: %w", err)
	}
	return nil
}

// FetchSessionsForUser returns the user's live sessions, for a "your
// devices" page. Unlike narvik, it never returns an expired session, even
// by the core's clock.
func (n *Narvik[D]) FetchSessionsForUser(ctx context.Context, userID string) ([]*Session[D], error) {
	if n.observer == nil {
		return n.listUser(ctx, userID)
	}
	ctx = n.begin(ctx, OpListUser)
	start := time.Now()
	list, err := n.listUser(ctx, userID)
	n.observer.Observe(ctx, Event{Op: OpListUser, Outcome: outcome(err), Count: len(list), Err: err, Duration: time.Since(start)})
	return list, err
}

func (n *Narvik[D]) listUser(ctx context.Context, userID string) ([]*Session[D], error) {
	if userID == "" {
		return nil, ErrEmptyUserID
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	records, err := n.store.FetchSessionsForUser(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("narvik: fetch sessions for user: %w", err)
	}
	now := n.now()
	sessions := make([]*Session[D], 0, len(records))
	for _, r := range records {
		if !now.Before(r.ExpiresAt) {
			continue
		}
		if r.UserID != userID {
			return nil, fmt.Errorf("%w: listing user %q, got a session of user %q", ErrBadRecord, userID, r.UserID)
		}
		s, err := n.session(r)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, s)
	}
	return sessions, nil
}

// DeleteSessionsForUser deletes every session of the user: "sign out
// everywhere", for instance after a password change.
func (n *Narvik[D]) DeleteSessionsForUser(ctx context.Context, userID string) error {
	if n.observer == nil {
		return n.invalidateUser(ctx, userID)
	}
	ctx = n.begin(ctx, OpInvalidateUser)
	start := time.Now()
	err := n.invalidateUser(ctx, userID)
	n.observer.Observe(ctx, Event{Op: OpInvalidateUser, Outcome: outcome(err), Err: err, Duration: time.Since(start)})
	return err
}

func (n *Narvik[D]) invalidateUser(ctx context.Context, userID string) error {
	if userID == "" {
		return ErrEmptyUserID
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := n.store.DeleteSessionsForUser(ctx, userID); err != nil {
		return fmt.Errorf("narvik: delete sessions for user: %w", err)
	}
	return nil
}

// DeleteAllExpiredSessions removes expired sessions from the store and
// returns how many it removed. Stores whose server expires records itself
// (see NativeExpiry) may return 0.
func (n *Narvik[D]) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	if n.observer == nil {
		return n.deleteExpired(ctx)
	}
	ctx = n.begin(ctx, OpDeleteExpired)
	start := time.Now()
	count, err := n.deleteExpired(ctx)
	n.observer.Observe(ctx, Event{Op: OpDeleteExpired, Outcome: outcome(err), Count: count, Err: err, Duration: time.Since(start)})
	return count, err
}

func (n *Narvik[D]) deleteExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	count, err := n.store.DeleteAllExpiredSessions(ctx)
	if err != nil {
		return count, fmt.Errorf("narvik: delete expired sessions: %w", err)
	}
	return count, nil
}

// CookieName returns the session cookie's name, to read it from requests.
func (n *Narvik[D]) CookieName() string { return n.cookie.Name }

// CreateCookie returns the session cookie carrying token.
func (n *Narvik[D]) CreateCookie(token string) Cookie {
	c := n.cookie
	c.Value = token
	return c
}

// CreateBlankCookie returns the cookie that deletes the session cookie:
// empty value, Max-Age=0. Set it at sign-out and whenever a presented token
// is not valid.
func (n *Narvik[D]) CreateBlankCookie() Cookie {
	c := n.cookie
	c.Attributes.MaxAge = 0
	return c
}
