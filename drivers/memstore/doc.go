// Package memstore is the in-memory reference driver for narvik.
//
// It keeps sessions in maps behind one RWMutex: a map from session ID to
// record and, per user, a set of session IDs.
//
// Cost of each call: FetchSession, SaveSession, UpdateSessionExpiry and
// DeleteSession are one map operation; FetchSessionsForUser and
// DeleteSessionsForUser cost O(that user's sessions); DeleteAllExpiredSessions
// scans every record, O(all). AllSessions copies the IDs (16 bytes a
// session) and reads each record as it goes.
//
// Consistency: every call is atomic and immediately visible to every other.
// Sessions live only as long as the process: the store is meant for tests,
// examples and single-process programs whose users may sign in again after
// a restart. It starts no goroutines and needs no Close.
//
// It is the model of the driver layout every driver follows (doc.go,
// store.go, sessions.go, walk.go): read it first when writing a driver of
// your own.
package memstore
