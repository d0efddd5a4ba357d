package boltstore

import (
	"fmt"
	"time"

	"github.com/narvik-go/narvik"
)

// defaultBucket is the top-level bucket the store uses unless WithBucket
// says otherwise.
const defaultBucket = "narvik"

// defaultTimeout bounds how long Open waits for the file lock. bbolt waits
// forever when its timeout is zero, which turns a second process on the same
// file into a silent hang; a second is long enough for a previous process
// that is shutting down to let go.
const defaultTimeout = time.Second

// Option configures Open and New.
type Option func(*config)

type config struct {
	bucket  string
	timeout time.Duration
}

func defaultConfig() config {
	return config{bucket: defaultBucket, timeout: defaultTimeout}
}

// WithBucket sets the name of the top-level bucket that holds the store's
// three nested buckets. The default is "narvik". Several stores can share one
// database file under different bucket names; the name must not be empty.
func WithBucket(name string) Option {
	return func(c *config) { c.bucket = name }
}

// WithTimeout sets how long Open waits for the file lock before it fails with
// ErrLocked. The default is one second; it must be positive (bbolt's "wait
// forever" is deliberately not available). New ignores it: the caller opened
// the database.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// apply builds the configuration from opts and checks it. Errors wrap
// narvik.ErrInvalidOption.
func apply(opts []Option) (config, error) {
	c := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if c.bucket == "" {
		return c, fmt.Errorf("%w: boltstore.WithBucket: empty bucket name", narvik.ErrInvalidOption)
	}
	if c.timeout <= 0 {
		return c, fmt.Errorf("%w: boltstore.WithTimeout(%v): the timeout must be positive", narvik.ErrInvalidOption, c.timeout)
	}
	return c, nil
}
