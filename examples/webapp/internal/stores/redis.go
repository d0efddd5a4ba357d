//go:build redis || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/redisurl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// redis returns the opener of the redis driver, which the redis or all build tag brings in.
func redis() urlopen.Opener { return redisurl.Opener() }
