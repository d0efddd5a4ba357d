//go:build !(dynamodb || all)

package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// dynamodb is nil: this build has no dynamodb driver (-tags dynamodb or -tags all brings it in).
func dynamodb() urlopen.Opener { return nil }
