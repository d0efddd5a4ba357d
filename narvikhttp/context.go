package narvikhttp

import (
	"context"

	"github.com/narvik-go/narvik"
)

// sessionKey is the context key of a session with data of type D. It is
// generic so that SessionFrom[D] can only find a session of that type.
type sessionKey[D any] struct{}

// SessionFrom returns the session that Handler.Wrap validated for this
// request, and whether there is one. It reports false when the request
// presented no token, an invalid or expired one, or when the middleware did
// not run.
func SessionFrom[D any](ctx context.Context) (*narvik.Session[D], bool) {
	s, ok := ctx.Value(sessionKey[D]{}).(*narvik.Session[D])
	return s, ok && s != nil
}

// withSession returns ctx carrying s.
func withSession[D any](ctx context.Context, s *narvik.Session[D]) context.Context {
	return context.WithValue(ctx, sessionKey[D]{}, s)
}
