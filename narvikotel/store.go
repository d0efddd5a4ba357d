package narvikotel

import (
	"context"
	"errors"
	"reflect"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/narvik-go/narvik"
)

// storeOp is a call of the store interfaces.
type storeOp int

const (
	opSave storeOp = iota
	opFetch
	opUpdate
	opDelete
	opFetchUser
	opDeleteUser
	opDeleteExpired
	opEnsureSchema
	opAllSessions
	numStoreOps
)

// storeOpNames are the db.operation.name values and span names: the
// methods' names.
var storeOpNames = [numStoreOps]string{
	"SaveSession", "FetchSession", "UpdateSessionExpiry", "DeleteSession",
	"FetchSessionsForUser", "DeleteSessionsForUser", "DeleteAllExpiredSessions",
	"EnsureSchema", "AllSessions",
}

// The outcomes of a store call: not_found is the contract's answer for a
// missing record, not a failure.
const (
	callOK = iota
	callNotFound
	callError
	numCallOutcomes
)

var callOutcomeNames = [numCallOutcomes]string{"ok", "not_found", "error"}

// knownSystems maps the drivers of this repository that talk to a database
// to the db.system.name the semantic conventions give it. The embedded and
// in-memory stores have none.
var knownSystems = map[string]string{
	"github.com/narvik-go/narvik/drivers/redisstore":  "redis",
	"github.com/narvik-go/narvik/drivers/mongostore":  "mongodb",
	"github.com/narvik-go/narvik/drivers/dynamostore": "aws.dynamodb",
}

// store is the instrumented narvik.SessionStore. WrapStore embeds it, with
// one part per optional interface the wrapped store has.
type store struct {
	next       narvik.SessionStore
	tracer     trace.Tracer // nil: no spans
	duration   metric.Float64Histogram
	errs       metric.Int64Counter
	sessionIDs bool
	system     []attribute.KeyValue // db.system.name, or nothing

	spanStart [numStoreOps][]trace.SpanStartOption
	base      [numStoreOps]*attrs // db.operation.name, db.system.name
	byOutcome [numStoreOps][numCallOutcomes]*attrs
	failed    errorAttrs
}

// WrapStore returns s instrumented: one span per store call (named for the
// method, with db.operation.name, db.system.name when known, narvik.outcome
// and, on failure, error.type and an error status), and the metrics
// narvik.store.operation.duration (by operation and outcome) and
// narvik.store.operation.errors. Spans never carry a token, nor the session
// ID unless WithSessionIDs is given, nor a user ID.
//
// The wrapper has the optional interfaces s has, and only those:
// narvik.NativeExpiry (passed through, not traced: it is no store call),
// narvik.SchemaEnsurer and narvik.Enumerator (traced; an AllSessions span
// lasts from the first step of the walk to its last). Other methods of s,
// such as Close, are not reachable through the wrapper: keep s, or call
// Unwrap on the result (it has an Unwrap() narvik.SessionStore method).
//
// WrapStore fails with narvik.ErrNilStore for a nil s.
func WrapStore(s narvik.SessionStore, opts ...Option) (narvik.SessionStore, error) {
	if s == nil {
		return nil, narvik.ErrNilStore
	}
	c := newConfig(opts)
	w, err := newStore(s, c)
	if err != nil {
		return nil, err
	}
	ne, isNE := s.(narvik.NativeExpiry)
	se, isSE := s.(narvik.SchemaEnsurer)
	en, isEN := s.(narvik.Enumerator)
	sch := schemaEnsurer{w, se}
	walk := enumerator{w, en}
	// One type per combination, so that a type assertion on the wrapper
	// answers as it would on s.
	switch {
	case isNE && isSE && isEN:
		return struct {
			*store
			narvik.NativeExpiry
			schemaEnsurer
			enumerator
		}{w, ne, sch, walk}, nil
	case isNE && isSE:
		return struct {
			*store
			narvik.NativeExpiry
			schemaEnsurer
		}{w, ne, sch}, nil
	case isNE && isEN:
		return struct {
			*store
			narvik.NativeExpiry
			enumerator
		}{w, ne, walk}, nil
	case isSE && isEN:
		return struct {
			*store
			schemaEnsurer
			enumerator
		}{w, sch, walk}, nil
	case isNE:
		return struct {
			*store
			narvik.NativeExpiry
		}{w, ne}, nil
	case isSE:
		return struct {
			*store
			schemaEnsurer
		}{w, sch}, nil
	case isEN:
		return struct {
			*store
			enumerator
		}{w, walk}, nil
	}
	return w, nil
}

func newStore(s narvik.SessionStore, c config) (*store, error) {
	in := c.instruments()
	w := &store{
		next:       s,
		tracer:     c.tracer(),
		sessionIDs: c.sessionIDs,
		duration: in.duration("narvik.store.operation.duration",
			"Duration of session store calls, by operation and outcome."),
		errs: in.counter("narvik.store.operation.errors", "{error}",
			"Session store calls that failed, by operation and error.type."),
	}
	if in.err != nil {
		return nil, in.err
	}
	system := c.dbSystem
	if system == "" {
		system = knownSystems[pkgPath(s)]
	}
	if system != "" {
		w.system = []attribute.KeyValue{semconv.DBSystemNameKey.String(system)}
	}
	for op := range numStoreOps {
		base := append([]attribute.KeyValue{semconv.DBOperationNameKey.String(storeOpNames[op])}, w.system...)
		w.spanStart[op] = []trace.SpanStartOption{trace.WithAttributes(base...)}
		w.base[op] = newAttrs(base...)
		for out := range numCallOutcomes {
			w.byOutcome[op][out] = w.base[op].with(keyOutcome.String(callOutcomeNames[out]))
		}
	}
	return w, nil
}

// pkgPath is the import path of the package that defines s's type.
func pkgPath(s narvik.SessionStore) string {
	t := reflect.TypeOf(s)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath()
}

// Unwrap returns the store WrapStore was given.
func (s *store) Unwrap() narvik.SessionStore { return s.next }

// call is one store call in progress.
type call struct {
	s     *store
	op    storeOp
	span  trace.Span // nil when the tracer records nothing
	start time.Time
}

// begin starts the span of a call of op (with the session ID id, "" for
// none) and returns the context to make the call with.
func (s *store) begin(ctx context.Context, op storeOp, id string) (context.Context, call) {
	c := call{s: s, op: op}
	if s.tracer != nil {
		spanCtx, span := s.tracer.Start(ctx, storeOpNames[op], s.spanStart[op]...)
		if span.IsRecording() {
			ctx, c.span = spanCtx, span
			if s.sessionIDs && id != "" {
				span.SetAttributes(keySessionID.String(id))
			}
		}
	}
	c.start = time.Now()
	return ctx, c
}

// end records the call's metrics and ends its span. count is the number of
// records the call returned or removed, -1 for calls that have none.
func (c call) end(ctx context.Context, err error, count int) {
	d := time.Since(c.start)
	s := c.s
	out := callOK
	switch {
	case err == nil:
	case errors.Is(err, narvik.ErrSessionNotFound):
		out = callNotFound
	default:
		out = callError
	}
	a, etype := s.byOutcome[c.op][out], ""
	if out == callError {
		etype = errorType(err)
		et := semconv.ErrorTypeKey.String(etype)
		a = s.failed.get(int(c.op), etype, func() *attrs { return s.byOutcome[c.op][callError].with(et) })
		// The error counter's set has no narvik.outcome: it would always
		// say error. Its indexes are the negative ones.
		e := s.failed.get(-1-int(c.op), etype, func() *attrs { return s.base[c.op].with(et) })
		s.errs.Add(ctx, 1, e.add...)
	}
	s.duration.Record(ctx, d.Seconds(), a.rec...)
	if c.span == nil {
		return
	}
	c.span.SetAttributes(a.kvs...)
	if count >= 0 {
		switch c.op {
		case opDeleteExpired:
			c.span.SetAttributes(keySessionCount.Int(count))
		default:
			c.span.SetAttributes(semconv.DBResponseReturnedRowsKey.Int(count))
		}
	}
	if etype != "" {
		// The error's class, not its message: messages may name sessions
		// and users.
		c.span.SetStatus(codes.Error, etype)
	}
	c.span.End()
}

// SaveSession saves r, in a span.
func (s *store) SaveSession(ctx context.Context, r narvik.Record) error {
	ctx, c := s.begin(ctx, opSave, r.ID)
	err := s.next.SaveSession(ctx, r)
	c.end(ctx, err, -1)
	return err
}

// FetchSession fetches the record with this ID, in a span.
func (s *store) FetchSession(ctx context.Context, id string) (narvik.Record, error) {
	ctx, c := s.begin(ctx, opFetch, id)
	r, err := s.next.FetchSession(ctx, id)
	c.end(ctx, err, -1)
	return r, err
}

// UpdateSessionExpiry extends the record with this ID, in a span.
func (s *store) UpdateSessionExpiry(ctx context.Context, id string, expiresAt time.Time) error {
	ctx, c := s.begin(ctx, opUpdate, id)
	err := s.next.UpdateSessionExpiry(ctx, id, expiresAt)
	c.end(ctx, err, -1)
	return err
}

// DeleteSession deletes the record with this ID, in a span.
func (s *store) DeleteSession(ctx context.Context, id string) error {
	ctx, c := s.begin(ctx, opDelete, id)
	err := s.next.DeleteSession(ctx, id)
	c.end(ctx, err, -1)
	return err
}

// FetchSessionsForUser lists the user's records, in a span that carries
// how many (db.response.returned_rows).
func (s *store) FetchSessionsForUser(ctx context.Context, userID string) ([]narvik.Record, error) {
	ctx, c := s.begin(ctx, opFetchUser, "")
	rs, err := s.next.FetchSessionsForUser(ctx, userID)
	c.end(ctx, err, len(rs))
	return rs, err
}

// DeleteSessionsForUser deletes the user's records, in a span.
func (s *store) DeleteSessionsForUser(ctx context.Context, userID string) error {
	ctx, c := s.begin(ctx, opDeleteUser, "")
	err := s.next.DeleteSessionsForUser(ctx, userID)
	c.end(ctx, err, -1)
	return err
}

// DeleteAllExpiredSessions sweeps, in a span that carries how many records
// it removed (narvik.session.count).
func (s *store) DeleteAllExpiredSessions(ctx context.Context) (int, error) {
	ctx, c := s.begin(ctx, opDeleteExpired, "")
	n, err := s.next.DeleteAllExpiredSessions(ctx)
	c.end(ctx, err, n)
	return n, err
}
