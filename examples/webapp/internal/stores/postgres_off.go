//go:build !(postgres || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// postgres is nil: this build has no postgres driver (-tags postgres or -tags all brings it in).
func postgres() urlopen.Opener { return nil }
