// Package memstore is the in-memory reference driver for narvik.
//
// It keeps sessions in maps behind one RWMutex: a map from session ID to
// record and, per user, a set of session IDs, so per-user listing and
// deletion cost O(that user's sessions). DeleteAllExpiredSessions scans every
// record, O(all); the store is meant for tests, examples and single-process
// programs whose sessions may vanish on restart. It starts no goroutines and
// needs no Close.
//
// Every other driver is measured against this one by the conformance suite;
// read it first when writing a driver of your own.
package memstore
