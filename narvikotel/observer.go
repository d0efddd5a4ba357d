package narvikotel

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/narvik-go/narvik"
)

// The operations and outcomes the core defines today. Observe still
// reports ones added later, building their attributes on the fly.
const (
	numOps      = int(narvik.OpDeleteExpired) + 1
	numOutcomes = int(narvik.OutcomeError) + 1
)

// Observer reports every operation of a Narvik as OpenTelemetry metrics and
// spans. Give it to narvik.New with narvik.WithObserver; one Observer may
// serve several Narviks. It is safe for concurrent use.
//
// It implements narvik.StartObserver, so each operation gets a span
// ("narvik.ValidateSession", ...) started before its first store call: the
// spans of a store wrapped with WrapStore, and those of the store's own
// client instrumentation, nest under it.
type Observer struct {
	tracer      trace.Tracer // nil: no spans
	duration    metric.Float64Histogram
	validations metric.Int64Counter
	created     metric.Int64Counter
	revocations metric.Int64Counter
	expired     metric.Int64Counter
	listed      metric.Int64Histogram

	spanStart [numOps][]trace.SpanStartOption
	byOutcome [numOps][numOutcomes]*attrs // narvik.operation, narvik.outcome
	validated [numOutcomes]*attrs         // narvik.outcome, for the validations counter
	revokeOne *attrs
	revokeAll *attrs
	failed    errorAttrs
}

// spanKey marks, in the context Start returns, the span Observe ends.
type spanKey struct{}

// NewObserver returns an Observer reporting to the providers the options
// name (default: the global ones).
func NewObserver(opts ...Option) (*Observer, error) {
	c := newConfig(opts)
	in := c.instruments()
	o := &Observer{
		tracer: c.tracer(),
		duration: in.duration("narvik.operation.duration",
			"Duration of narvik operations, store calls included."),
		validations: in.counter("narvik.session.validations", "{validation}",
			"Session validations, by outcome: valid, extended, not_found, malformed, error."),
		created: in.counter("narvik.session.created", "{session}",
			"Sessions created."),
		revocations: in.counter("narvik.session.revocations", "{revocation}",
			"Sign-outs: of one session (scope session) or of every session of a user (scope user)."),
		expired: in.counter("narvik.session.expired_removed", "{session}",
			"Expired sessions removed by DeleteAllExpiredSessions."),
		listed: in.histogram("narvik.session.listed", "{session}",
			"Live sessions returned by one FetchSessionsForUser: sessions per user.",
			0, 1, 2, 3, 5, 10, 20, 50, 100, 1000),
	}
	if in.err != nil {
		return nil, in.err
	}
	for op := 1; op < numOps; op++ {
		opAttr := keyOperation.String(narvik.Op(op).String())
		o.spanStart[op] = []trace.SpanStartOption{trace.WithAttributes(opAttr)}
		for out := 1; out < numOutcomes; out++ {
			o.byOutcome[op][out] = newAttrs(opAttr, keyOutcome.String(narvik.Outcome(out).String()))
		}
	}
	for out := 1; out < numOutcomes; out++ {
		o.validated[out] = newAttrs(keyOutcome.String(narvik.Outcome(out).String()))
	}
	o.revokeOne = newAttrs(keyRevocationScope.String("session"))
	o.revokeAll = newAttrs(keyRevocationScope.String("user"))
	return o, nil
}

// spanName is the name of an operation's span: the method's name.
func spanName(op narvik.Op) string {
	switch op {
	case narvik.OpCreate:
		return "narvik.CreateSession"
	case narvik.OpValidate:
		return "narvik.ValidateSession"
	case narvik.OpInvalidate:
		return "narvik.InvalidateSession"
	case narvik.OpInvalidateUser:
		return "narvik.DeleteSessionsForUser"
	case narvik.OpListUser:
		return "narvik.FetchSessionsForUser"
	case narvik.OpDeleteExpired:
		return "narvik.DeleteAllExpiredSessions"
	}
	return "narvik." + op.String()
}

// Start starts the operation's span (narvik.StartObserver). A span that
// records nothing (a no-op or sampled-out tracer) is not carried on, so the
// store calls see the caller's context unchanged.
func (o *Observer) Start(ctx context.Context, op narvik.Op) context.Context {
	if o.tracer == nil {
		return ctx
	}
	var opts []trace.SpanStartOption
	if int(op) < numOps {
		opts = o.spanStart[op]
	} else {
		opts = []trace.SpanStartOption{trace.WithAttributes(keyOperation.String(op.String()))}
	}
	spanCtx, span := o.tracer.Start(ctx, spanName(op), opts...)
	if !span.IsRecording() {
		return ctx
	}
	return context.WithValue(spanCtx, spanKey{}, span)
}

// Observe records the operation's metrics and ends the span Start began
// (narvik.Observer).
func (o *Observer) Observe(ctx context.Context, e narvik.Event) {
	a, etype := o.attrs(e)
	o.duration.Record(ctx, e.Duration.Seconds(), a.rec...)
	ok := e.Outcome == narvik.OutcomeOK
	switch e.Op {
	case narvik.OpValidate:
		o.validations.Add(ctx, 1, o.validationAttrs(e.Outcome, etype).add...)
	case narvik.OpCreate:
		if ok {
			o.created.Add(ctx, 1)
		}
	case narvik.OpInvalidate:
		if ok {
			o.revocations.Add(ctx, 1, o.revokeOne.add...)
		}
	case narvik.OpInvalidateUser:
		if ok {
			o.revocations.Add(ctx, 1, o.revokeAll.add...)
		}
	case narvik.OpListUser:
		if ok {
			o.listed.Record(ctx, int64(e.Count))
		}
	case narvik.OpDeleteExpired:
		// Count even when the sweep failed part-way: what it removed is gone.
		if e.Count > 0 {
			o.expired.Add(ctx, int64(e.Count))
		}
	}
	if o.tracer == nil {
		return // no span was started: skip the context lookup
	}
	span, _ := ctx.Value(spanKey{}).(trace.Span)
	if span == nil {
		return
	}
	span.SetAttributes(a.kvs...)
	if e.Op == narvik.OpListUser || e.Op == narvik.OpDeleteExpired {
		span.SetAttributes(keySessionCount.Int(e.Count))
	}
	if e.Err != nil {
		// The error's class, not its message: messages may name sessions
		// and users.
		span.SetStatus(codes.Error, etype)
	}
	span.End()
}

// attrs returns the attribute set of e (operation, outcome and, for a
// failed operation, error.type) and the error.type, "" for none.
func (o *Observer) attrs(e narvik.Event) (*attrs, string) {
	known := int(e.Op) < numOps && int(e.Outcome) < numOutcomes
	if e.Err == nil {
		if known && e.Op > 0 && e.Outcome > 0 {
			return o.byOutcome[e.Op][e.Outcome], ""
		}
		return newAttrs(keyOperation.String(e.Op.String()), keyOutcome.String(e.Outcome.String())), ""
	}
	etype := errorType(e.Err)
	build := func() *attrs {
		kvs := []attribute.KeyValue{keyOperation.String(e.Op.String()), keyOutcome.String(e.Outcome.String()), semconv.ErrorTypeKey.String(etype)}
		return newAttrs(kvs...)
	}
	return o.failed.get(int(e.Op)<<8|int(e.Outcome), etype, build), etype
}

// validationAttrs returns the validations counter's attribute set.
func (o *Observer) validationAttrs(out narvik.Outcome, etype string) *attrs {
	if etype == "" {
		if out > 0 && int(out) < numOutcomes {
			return o.validated[out]
		}
		return newAttrs(keyOutcome.String(out.String()))
	}
	// Index space of its own: operations shift by 8 bits, this is negative.
	return o.failed.get(-1-int(out), etype, func() *attrs {
		return newAttrs(keyOutcome.String(out.String()), semconv.ErrorTypeKey.String(etype))
	})
}

// The Observer is what narvik.WithObserver takes, with a start hook.
var _ narvik.StartObserver = (*Observer)(nil)
