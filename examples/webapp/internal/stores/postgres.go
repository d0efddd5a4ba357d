//go:build postgres || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/postgresurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// postgres returns the opener of the postgres driver, which the postgres or all build tag brings in.
func postgres() urlopen.Opener { return postgresurl.Opener() }
