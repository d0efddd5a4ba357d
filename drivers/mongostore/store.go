package mongostore

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storekit"
)

// Store is a narvik.SessionStore backed by one MongoDB collection. It is safe
// for concurrent use. It holds no goroutines of its own: the *mongo.Client
// that owns the collection is the caller's, and so is its Disconnect.
type Store struct {
	coll     *mongo.Collection
	logger   *slog.Logger
	walkPage int

	// ttlWarned makes the "server refused the TTL index" warning appear once
	// per Store, however often EnsureSchema runs.
	ttlWarned sync.Once
	// noTTL is set once the server has refused the TTL index: only then is
	// it known that nothing but DeleteAllExpiredSessions removes expired
	// documents.
	noTTL atomic.Bool
}

var (
	_ narvik.SessionStore  = (*Store)(nil)
	_ narvik.NativeExpiry  = (*Store)(nil)
	_ narvik.SchemaEnsurer = (*Store)(nil)
	_ narvik.Enumerator    = (*Store)(nil)
)

// New returns a Store that keeps sessions in coll. It does no I/O: call
// EnsureSchema once at start-up to create the indexes, or create them with
// your own tools from the list in the package doc.
//
// The store works on a clone of coll with majority write concern, "local"
// read concern and primary read preference, whatever coll was configured
// with: see the package doc for why. coll itself is not changed.
//
// A nil coll gives an error wrapping narvik.ErrNilClient, an unusable option
// one wrapping narvik.ErrInvalidOption.
func New(coll *mongo.Collection, opts ...Option) (*Store, error) {
	if coll == nil {
		return nil, storekit.NilClient("mongostore", "*mongo.Collection")
	}
	cfg := config{logger: slog.Default(), walkPage: defaultWalkPage}
	storekit.Apply(&cfg, opts)
	if cfg.walkPage < 1 || cfg.walkPage > maxWalkPage {
		return nil, storekit.InvalidOption("mongostore", "WithWalkPageSize(%d): want 1 to %d documents per page", cfg.walkPage, maxWalkPage)
	}
	return &Store{
		coll: coll.Clone(options.Collection().
			SetWriteConcern(writeconcern.Majority()).
			SetReadConcern(readconcern.Local()).
			SetReadPreference(readpref.Primary())),
		logger:   cfg.logger,
		walkPage: cfg.walkPage,
	}, nil
}

// ExpiresNatively reports whether the server may remove expired sessions by
// itself (its TTL monitor), so that DeleteAllExpiredSessions can find fewer
// documents than expired. It is true unless EnsureSchema saw the server
// refuse the TTL index (FerretDB): then the store alone removes expired
// documents and DeleteAllExpiredSessions counts every one of them. Before
// EnsureSchema has run the store cannot know and keeps the safe answer,
// true.
func (s *Store) ExpiresNatively() bool { return !s.noTTL.Load() }

// Option configures a Store in New.
type Option func(*config)

type config struct {
	logger   *slog.Logger
	walkPage int
}

// The page size of AllSessions: the default, and the most a page may hold.
// A page is held in memory while the caller's loop consumes it, so the
// bound keeps a walk's memory small whatever the option says.
const (
	defaultWalkPage = 1000
	maxWalkPage     = 100_000
)

// WithLogger sets the logger the store reports warnings to (today only one:
// the server refused the TTL index). The default is slog.Default(). A nil
// logger discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			l = slog.New(slog.DiscardHandler)
		}
		c.logger = l
	}
}

// WithWalkPageSize sets how many documents AllSessions reads per query: the
// memory of a walk, and one round trip per page. The default is 1,000; New
// refuses a size below 1 or above 100,000 with an error wrapping
// narvik.ErrInvalidOption.
func WithWalkPageSize(n int) Option {
	return func(c *config) { c.walkPage = n }
}

// WithoutIndexCreation does nothing.
//
// Deprecated: New no longer creates indexes (it does no I/O at all); the
// indexes are created by EnsureSchema, which an application whose database
// user may not create indexes simply does not call. The option is kept so
// that code written for the old New still compiles.
func WithoutIndexCreation() Option {
	return func(*config) {}
}
