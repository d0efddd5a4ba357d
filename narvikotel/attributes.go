package narvikotel

import (
	"context"
	"errors"
	"slices"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/narvik-go/narvik"
)

// scopeName names the instrumentation scope of every meter and tracer this
// package makes.
const scopeName = "github.com/narvik-go/narvik/narvikotel"

// Attribute keys of narvik's own (doc.go lists their values). The rest are
// the semantic conventions' (db.system.name, db.operation.name,
// db.response.returned_rows, error.type).
const (
	keyOperation       = attribute.Key("narvik.operation")
	keyOutcome         = attribute.Key("narvik.outcome")
	keyRevocationScope = attribute.Key("narvik.revocation.scope")
	keySessionCount    = attribute.Key("narvik.session.count")
	keySessionID       = attribute.Key("narvik.session.id")
)

// errorType is the error.type of err: a fixed name for the errors narvik
// and the context define, else the type name the semantic conventions
// derive (the innermost type under fmt.Errorf wrappers, or the value of an
// ErrorType() string method in the chain), and "_OTHER" for an error that
// has no type of its own (errors.New). The values stay few, as error.type
// must: they never hold an error's message, which may name a session or a
// user.
func errorType(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, narvik.ErrBadRecord):
		return "bad_record"
	case errors.Is(err, narvik.ErrDuplicateSession):
		return "duplicate_session"
	case errors.Is(err, narvik.ErrInvalidUserID):
		return "invalid_user_id"
	case errors.Is(err, narvik.ErrInvalidSessionID):
		return "invalid_session_id"
	case errors.Is(err, narvik.ErrEmptyUserID):
		return "empty_user_id"
	case errors.Is(err, narvik.ErrEncodeData):
		return "encode_data"
	}
	switch t := semconv.ErrorType(err).Value.AsString(); t {
	case "*errors.errorString", "*fmt.wrapErrors", "*errors.joinError":
		return semconv.ErrorTypeOther.Value.AsString()
	default:
		return t
	}
}

// attrs is one attribute set in the forms the instruments and spans take,
// built once, so that recording a measurement allocates nothing.
type attrs struct {
	kvs []attribute.KeyValue
	add []metric.AddOption
	rec []metric.RecordOption
}

func newAttrs(kvs ...attribute.KeyValue) *attrs {
	o := metric.WithAttributeSet(attribute.NewSet(kvs...))
	return &attrs{kvs: kvs, add: []metric.AddOption{o}, rec: []metric.RecordOption{o}}
}

// with returns a's attributes and kv.
func (a *attrs) with(kv attribute.KeyValue) *attrs {
	return newAttrs(append(slices.Clip(a.kvs), kv)...)
}

// maxCachedErrorTypes bounds errorAttrs: error.type values are few by
// design, but a store's ErrorType method could make up new ones.
const maxCachedErrorTypes = 256

// errorAttrs caches the attribute sets of failed calls, which carry the
// error.type on top of a fixed part, so that a store outage does not make
// every failing call build its attribute set anew.
type errorAttrs struct {
	m    sync.Map // errorKey -> *attrs
	n    sync.Mutex
	size int
}

type errorKey struct {
	index int // the fixed part: operation, outcome
	etype string
}

// get returns the cached set for (index, etype), building it with build
// the first time.
func (c *errorAttrs) get(index int, etype string, build func() *attrs) *attrs {
	k := errorKey{index, etype}
	if a, ok := c.m.Load(k); ok {
		return a.(*attrs)
	}
	a := build()
	c.n.Lock()
	defer c.n.Unlock()
	if c.size < maxCachedErrorTypes {
		if prev, loaded := c.m.LoadOrStore(k, a); loaded {
			return prev.(*attrs)
		}
		c.size++
	}
	return a
}
