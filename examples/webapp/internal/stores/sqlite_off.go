//go:build !(sqlite || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// sqlite is nil: this build has no sqlite driver (-tags sqlite or -tags all brings it in).
func sqlite() urlopen.Opener { return nil }
