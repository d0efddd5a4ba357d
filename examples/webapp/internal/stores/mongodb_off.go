//go:build !(mongodb || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// mongodb is nil: this build has no mongodb driver (-tags mongodb or -tags all brings it in).
func mongodb() urlopen.Opener { return nil }
