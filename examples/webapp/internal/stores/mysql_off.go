//go:build !(mysql || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// mysql is nil: this build has no mysql driver (-tags mysql or -tags all brings it in).
func mysql() urlopen.Opener { return nil }
