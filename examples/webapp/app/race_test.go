//go:build race

package app_test

// raceDetector: the tests run under -race, where hashing runs several
// times slower than it would in production.
const raceDetector = true
