//go:build !(redis || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// redis is nil: this build has no redis driver (-tags redis or -tags all brings it in).
func redis() urlopen.Opener { return nil }
