package narvikhttp

import (
	"context"
	"fmt"
	"reflect"

	"github.com/narvik-go/narvik"
)

// sessionKey is the context key of a session with data of type D. It is
// generic so that two middlewares with different data types can both put
// their session in one request's context.
type sessionKey[D any] struct{}

// anySessionKey finds a session of any data type, to tell "no session" from
// "a session of another type than asked for".
type anySessionKey struct{}

// sessionContext carries one validated session. It answers both keys with
// one allocation.
type sessionContext[D any] struct {
	context.Context
	s *narvik.Session[D]
}

func (c *sessionContext[D]) Value(key any) any {
	switch key.(type) {
	case sessionKey[D]:
		return c.s
	case anySessionKey:
		return reflect.TypeFor[D]()
	}
	return c.Context.Value(key)
}

// SessionFrom returns the session that Middleware.Wrap validated for this
// request, and whether there is one. It reports false when the request
// presented no token, an invalid or expired one, or when the middleware did
// not run. Middleware.Session does the same with D inferred.
//
// D must be the data type of the Middleware that validated the request. A
// different D is a programming error that would otherwise look like "signed
// out" on every request: SessionFrom panics then, naming both types.
func SessionFrom[D any](ctx context.Context) (*narvik.Session[D], bool) {
	if s, ok := ctx.Value(sessionKey[D]{}).(*narvik.Session[D]); ok {
		return s, s != nil
	}
	if t, ok := ctx.Value(anySessionKey{}).(reflect.Type); ok {
		panic(fmt.Sprintf("narvikhttp: SessionFrom[%v] on a request whose session has data of type %v: use the Middleware's data type, or Middleware.Session, which infers it", reflect.TypeFor[D](), t))
	}
	return nil, false
}

// withSession returns ctx carrying s.
func withSession[D any](ctx context.Context, s *narvik.Session[D]) context.Context {
	return &sessionContext[D]{Context: ctx, s: s}
}
