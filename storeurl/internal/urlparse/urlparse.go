// Package urlparse holds the small string handling that several store URL
// openers share: query parameters the opener takes out of the URL before
// the client's own parser sees it, and passwords kept out of messages.
package urlparse

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/narvik-go/narvik/internal/sqlstore"
)

// TakeParam removes parameter name from the query of raw and returns its
// value and what remains of raw, so that a client's parser, which refuses
// parameters it does not know, never sees narvik's own (prefix=, table=).
func TakeParam(raw, name string) (value, rest string, err error) {
	base, query, ok := strings.Cut(raw, "?")
	if !ok {
		return "", raw, nil
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", err
	}
	value = q.Get(name)
	if q.Has(name) && value == "" {
		return "", "", fmt.Errorf("%s= is empty", name)
	}
	q.Del(name)
	if len(q) == 0 {
		return value, base, nil
	}
	return value, base + "?" + q.Encode(), nil
}

// Redact hides the password of a URL that holds one, for messages and
// descriptions.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@")
	if at < 0 {
		return raw
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// SQLTable is the note on the table of an SQL store's description; ""
// names the drivers' default table.
func SQLTable(table string) string {
	if table == "" {
		table = sqlstore.DefaultTable
	}
	return " (table " + table + ")"
}
