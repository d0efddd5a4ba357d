// Package sqliteurl opens SQLite store URLs for a urlopen.Set, with
// drivers/sqlitestore over modernc.org/sqlite (pure Go, no cgo):
//
//	sqlite:PATH   an SQLite file
//
// table= names the table (default "narvik_sessions"). Opening the file
// also creates the table when it is missing, as sqlitestore.Open does.
package sqliteurl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/sqlitestore"
	"github.com/narvik-go/narvik/storeurl/internal/urlparse"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// Opener returns the opener of sqlite: URLs.
func Opener() urlopen.Opener { return opener{} }

type opener struct{}

func (opener) Kinds() []urlopen.Kind { return []urlopen.Kind{urlopen.SQLite} }
func (opener) Forms() string         { return "sqlite:PATH" }

func (opener) Parse(raw string) (urlopen.Parsed, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(raw, "sqlite:"), "?")
	table := ""
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return urlopen.Parsed{}, err
		}
		for k := range q {
			if k != "table" {
				return urlopen.Parsed{}, fmt.Errorf("unknown parameter %q: sqlite: takes table=", k)
			}
		}
		table = q.Get("table")
	}
	if path == "" || strings.HasPrefix(path, "//") {
		return urlopen.Parsed{}, errors.New("want sqlite:PATH, the path of an SQLite file, such as sqlite:sessions.db")
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return urlopen.Parsed{
		Description: "SQLite file " + path + urlparse.SQLTable(table),
		File:        path,
		Open: func(context.Context) (narvik.SessionStore, func() error, error) {
			var opts []sqlitestore.Option
			if table != "" {
				opts = append(opts, sqlitestore.WithTable(table))
			}
			st, err := sqlitestore.Open(path, opts...)
			if errors.Is(err, narvik.ErrInvalidOption) {
				return nil, nil, urlopen.Refused(err)
			}
			if err != nil {
				return nil, nil, err
			}
			return st, st.Close, nil
		},
	}, nil
}
