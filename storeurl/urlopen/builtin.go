package urlopen

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/boltstore"
	"github.com/narvik-go/narvik/drivers/memstore"
)

// memoryOpener opens "memory": a memstore, whose sessions end with the
// process.
type memoryOpener struct{}

func (memoryOpener) Kinds() []Kind { return []Kind{Memory} }
func (memoryOpener) Forms() string { return "memory" }

func (memoryOpener) Parse(string) (Parsed, error) {
	return Parsed{
		Description: "in memory (sessions end with the process)",
		Open: func(context.Context) (narvik.SessionStore, func() error, error) {
			return memstore.New(), nil, nil
		},
	}, nil
}

// boltOpener opens bolt:PATH, a bbolt file (boltstore), which opening
// locks: a file another process holds is an error wrapping
// boltstore.ErrLocked.
type boltOpener struct{}

func (boltOpener) Kinds() []Kind { return []Kind{Bolt} }
func (boltOpener) Forms() string { return "bolt:PATH" }

func (boltOpener) Parse(raw string) (Parsed, error) {
	path := strings.TrimPrefix(raw, "bolt:")
	if path == "" || strings.HasPrefix(path, "//") {
		return Parsed{}, errors.New("want bolt:PATH, the path of a bbolt file, such as bolt:sessions.db or bolt:/var/lib/app/sessions.db")
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return Parsed{
		Description: "bbolt file " + path,
		File:        path,
		Open: func(context.Context) (narvik.SessionStore, func() error, error) {
			st, err := boltstore.Open(path)
			if err != nil {
				return nil, nil, err
			}
			return st, st.Close, nil
		},
	}, nil
}
