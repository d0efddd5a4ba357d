package mongostore

import (
	"io"
	"log/slog"
)

// Option configures a Store in New.
type Option func(*config)

type config struct {
	ensureIndexes bool
	logger        *slog.Logger
}

func defaultConfig() config {
	return config{ensureIndexes: true, logger: slog.Default()}
}

// WithoutIndexCreation stops New from calling EnsureIndexes, for deployments
// where the application's database user may not create indexes and the
// indexes are managed elsewhere (they must still match the ones documented in
// the package doc, or per-user calls and cleanup become collection scans).
func WithoutIndexCreation() Option {
	return func(c *config) { c.ensureIndexes = false }
}

// WithLogger sets the logger the store reports warnings to (today only one:
// the server refused the TTL index). The default is slog.Default(). A nil
// logger discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
		c.logger = l
	}
}
