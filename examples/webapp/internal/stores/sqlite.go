//go:build sqlite || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/sqliteurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// sqlite returns the opener of the sqlite driver, which the sqlite or all build tag brings in.
func sqlite() urlopen.Opener { return sqliteurl.Opener() }
