// Package narvikotel reports what narvik does as OpenTelemetry metrics and
// spans: how many validations fail and why, how many sessions are created,
// extended, revoked and swept, and how long the store takes. It is a module
// of its own, so the library's go.mod never names OpenTelemetry.
//
// Two pieces, used together or alone:
//
//	obs, err := narvikotel.NewObserver()         // the core's outcomes
//	store, err := narvikotel.WrapStore(redisStore) // every store call
//	n, err := narvik.New[Data](store, narvik.WithObserver(obs))
//
// Both report to the global providers (otel.SetMeterProvider,
// otel.SetTracerProvider) unless WithMeterProvider and WithTracerProvider
// name others. Without them nothing is measured: a Narvik with no observer
// runs exactly the code it ran before observers existed (docs/benchmarks.md,
// "Observability", has the numbers).
//
// # Metrics
//
// Names and units follow the OpenTelemetry semantic conventions' rules
// (dotted namespaces, seconds, {annotations} for counts). A Prometheus
// exporter shows them as narvik_session_validations_total,
// narvik_operation_duration_seconds and so on.
//
//	narvik.operation.duration       histogram, s           narvik.operation, narvik.outcome, error.type
//	narvik.session.validations      counter, {validation}  narvik.outcome, error.type
//	narvik.session.created          counter, {session}
//	narvik.session.revocations      counter, {revocation}  narvik.revocation.scope: session (one) or user (all of a user)
//	narvik.session.expired_removed  counter, {session}     sessions DeleteAllExpiredSessions removed
//	narvik.session.listed           histogram, {session}   sessions per FetchSessionsForUser
//	narvik.store.operation.duration histogram, s           db.operation.name, db.system.name, narvik.outcome, error.type
//	narvik.store.operation.errors   counter, {error}       db.operation.name, db.system.name, error.type
//
// narvik.operation is create, validate, invalidate, invalidate_user,
// list_user or delete_expired. narvik.outcome is, for validations, valid,
// extended, not_found (unknown, expired or revoked), malformed (refused
// without a store call) or error; for the other operations ok, refused (the
// caller's mistake, such as an empty user ID) or error; for store calls ok,
// not_found (the contract's answer for a missing record, not a failure) or
// error. The counters of created, revoked and listed sessions count
// successes; failures show in narvik.operation.duration by outcome.
//
// The store metrics are not the conventions' db.client.operation.duration
// on purpose: the store's own client instrumentation (redisotel, otelmongo,
// otelaws) reports that one for each command, and a session store call
// (one validation may be an EVALSHA, a FindOne or a GetItem) counted in the
// same series would be counted twice.
//
// # Spans
//
// The Observer starts one span per operation, "narvik.ValidateSession" and
// so on, under the caller's span (narvik.StartObserver). WrapStore makes
// one span per store call, named for the method ("FetchSession"), with
// db.operation.name, db.system.name, narvik.outcome, and
// db.response.returned_rows for FetchSessionsForUser and AllSessions or
// narvik.session.count for DeleteAllExpiredSessions. Store spans are of
// kind internal, not client: the client spans are the database client's own
// instrumentation, which nests under them, and tracing backends that draw a
// database node from each client span would otherwise count it twice.
//
// db.system.name is the conventions' name of the database: WrapStore knows
// it for redisstore (redis), mongostore (mongodb) and dynamostore
// (aws.dynamodb); give it with WithDBSystem for other stores. The embedded
// and in-memory stores have none.
//
// # Errors
//
// A failed operation or store call has an Error status and error.type, one
// of: canceled, timeout (the context's errors), bad_record,
// duplicate_session, invalid_user_id, invalid_session_id, empty_user_id,
// encode_data (narvik's sentinels), else the conventions' type name of the
// innermost error (such as *net.OpError, or the value of an ErrorType()
// string method in the chain), and _OTHER for errors without a type of
// their own. The status description is the error.type too: error messages
// are never recorded, because a driver's message may name a session or a
// user.
//
// # What is never recorded
//
// A token, anywhere; a user ID, anywhere; a session ID, unless
// WithSessionIDs is given, and then only on store spans, never as a metric
// attribute. The tests search every exported span and metric for the
// tokens, session IDs and user IDs they created.
package narvikotel
