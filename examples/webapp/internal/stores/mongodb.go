//go:build mongodb || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/mongourl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// mongodb returns the opener of the mongodb driver, which the mongodb or all build tag brings in.
func mongodb() urlopen.Opener { return mongourl.Opener() }
