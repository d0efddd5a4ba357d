package sqlstore

import (
	"strings"

	"github.com/narvik-go/narvik/storekit"
)

// DefaultTable is the table the drivers use unless WithTable names another.
const DefaultTable = "narvik_sessions"

// MaxTableLen bounds a table name so that the index names derived from it
// ("<table>_user_idx", "<table>_expires_idx") fit every database's limit
// (PostgreSQL truncates names past 63 bytes, MySQL refuses them past 64).
const MaxTableLen = 48

// CheckTable returns an error wrapping narvik.ErrInvalidOption unless name
// is a plain lowercase identifier: a letter or underscore, then letters,
// digits or underscores, at most MaxTableLen bytes. Lowercase only, so the
// name means the same table whether a migration tool writes it quoted or
// not (PostgreSQL folds unquoted names to lowercase; MySQL's case rules
// depend on the server's file system).
func CheckTable(driver, name string) error {
	ok := name != "" && len(name) <= MaxTableLen
	for i := 0; ok && i < len(name); i++ {
		c := name[i]
		ok = c == '_' || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9')
	}
	if !ok {
		return storekit.InvalidOption(driver, "WithTable(%q): want a lowercase identifier (a-z, 0-9, _; not starting with a digit; at most %d bytes)", name, MaxTableLen)
	}
	return nil
}

// DDL returns schema with {t}, {t_user_idx} and {t_expires_idx} replaced by
// the quoted names of table and its two indexes.
func DDL(schema, table string, quote func(string) string) string {
	return strings.NewReplacer(
		"{t}", quote(table),
		"{t_user_idx}", quote(table+UserIndexSuffix),
		"{t_expires_idx}", quote(table+ExpiresIndexSuffix),
	).Replace(schema)
}

// The index names are the table's followed by these.
const (
	UserIndexSuffix    = "_user_idx"
	ExpiresIndexSuffix = "_expires_idx"
)
