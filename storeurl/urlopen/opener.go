package urlopen

import (
	"context"

	"github.com/narvik-go/narvik"
)

// An Opener parses and opens the URLs of one driver's kinds of store, for
// a Set. The packages of this module each provide one (redisurl.Opener,
// mongourl.Opener, ...); memory and bolt need none, every Set opens them.
type Opener interface {
	// Kinds are the kinds of URL it opens.
	Kinds() []Kind
	// Forms lists its URL forms for usage texts and error messages, such
	// as "mysql://USER:PASS@HOST:PORT/DB".
	Forms() string
	// Parse checks raw, a URL of one of its Kinds, without any I/O. Its
	// error says what is wrong; the Set wraps it in ErrBadURL with the
	// URL, its password hidden.
	Parse(raw string) (Parsed, error)
}

// Parsed is what an Opener makes of a URL: checked, not yet opened.
type Parsed struct {
	// Description says which store the URL names, for banners and logs,
	// without any password.
	Description string
	// File is the path of the file an embedded store keeps its sessions
	// in (SQLite), "" for a store on a server. Open refuses a missing file
	// unless Create was given, so that a typo in a path does not quietly
	// give an empty store.
	File string
	// Open connects, makes sure the store answers (a ping or a read,
	// never a write on a server) and returns the store and the function
	// that releases its clients and files (nil for none). ctx bounds the
	// whole opening. An error wrapped with Refused is reported as
	// ErrBadURL, any other as ErrUnreachable.
	Open func(ctx context.Context) (store narvik.SessionStore, close func() error, err error)
}
