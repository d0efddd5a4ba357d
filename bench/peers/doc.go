// Package peers benchmarks narvik next to alexedwards/scs v2, the most used
// Go session manager, in the same run on the same servers: loading a
// session from memory and from Redis, bare and through each library's HTTP
// middleware (narvikhttp's Wrap, scs's LoadAndSave). make bench writes the
// ratios into docs/benchmarks.md.
//
// Both libraries hold the same session: the benchmarks' data
// (conformance.BenchData), one typed value in narvik and one gob-encoded
// value in scs, with each library's defaults otherwise. narvik stores only
// the SHA-256 of the token; scs stores the token itself unless
// HashTokenInStore is set, so the scs rows are run both ways.
package peers
