// Package testkit holds the helpers that the repository's tests share, so
// that no test file writes them again: a settable clock, a store wrapper
// that counts calls and fails on demand, child server processes on ports
// they really got (to kill, restart, freeze and thaw), the outage scenario
// every server-backed driver runs on them (RunOutage), a log buffer to
// assert on warnings, and the one way an Example that needs a server is
// run.
//
// It is internal: every module of the repository imports it (the internal
// rule goes by import path), no user does.
package testkit
