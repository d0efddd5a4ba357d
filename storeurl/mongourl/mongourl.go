// Package mongourl opens MongoDB store URLs for a urlopen.Set, with
// drivers/mongostore over the official driver:
//
//	mongodb://... , mongodb+srv://...   the path names the database (default narvik)
//
// collection= names the collection (default "sessions"); other parameters
// are the driver's connection-string options.
package mongourl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/mongostore"
	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Defaults of the URL's database and collection.
const (
	DefaultDatabase   = "narvik"
	DefaultCollection = "sessions"
)

// Opener returns the opener of mongodb:// and mongodb+srv:// URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.MongoDB} }
func (opener) Forms() string         { return "mongodb://..., mongodb+srv://..." }

func (opener) Parse(raw string) (urlopen.Parsed, error) {
	coll, uri, err := urlparse.TakeParam(raw, "collection")
	if err != nil {
		return urlopen.Parsed{}, err
	}
	if coll == "" {
		coll = DefaultCollection
	}
	// A mongodb+srv:// URI is resolved in DNS when it is applied, which is
	// I/O: Open applies it.
	srv := strings.HasPrefix(uri, "mongodb+srv://")
	var opts *options.ClientOptions
	if !srv {
		opts = options.Client().ApplyURI(uri)
		if err := opts.Validate(); err != nil {
			return urlopen.Parsed{}, err
		}
	}
	// The database is the URI's path, as MongoDB's own tools read it.
	db := DefaultDatabase
	_, afterScheme, _ := strings.Cut(uri, "://")
	base, _, _ := strings.Cut(afterScheme, "?")
	if _, path, ok := strings.Cut(base, "/"); ok && path != "" {
		db = path
	}
	if strings.ContainsAny(db, "/\\. \"$") {
		return urlopen.Parsed{}, fmt.Errorf("database name %q: MongoDB refuses /\\. \"$ in database names", db)
	}
	return urlopen.Parsed{
		Description: fmt.Sprintf("MongoDB %s (database %s, collection %s)", urlparse.Redact(uri), db, coll),
		Open: func(ctx context.Context) (narvik.SessionStore, func() error, error) {
			opts := opts
			if srv {
				opts = options.Client().ApplyURI(uri)
				if err := opts.Validate(); err != nil {
					return nil, nil, err
				}
			}
			return open(ctx, opts, db, coll)
		},
	}, nil
}

func open(ctx context.Context, opts *options.ClientOptions, db, coll string) (narvik.SessionStore, func() error, error) {
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, nil, urlopen.Refused(err)
	}
	disconnect := func() error { return client.Disconnect(context.Background()) }
	if err := client.Ping(ctx, readpref.Primary()); err != nil {
		return nil, nil, errors.Join(err, disconnect())
	}
	st, err := mongostore.New(client.Database(db).Collection(coll))
	if err != nil {
		return nil, nil, urlopen.Refused(errors.Join(err, disconnect()))
	}
	return st, disconnect, nil
}
