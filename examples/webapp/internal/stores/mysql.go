//go:build mysql || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/mysqlurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// mysql returns the opener of the mysql driver, which the mysql or all build tag brings in.
func mysql() urlopen.Opener { return mysqlurl.Opener() }
