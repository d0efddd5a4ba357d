//go:build dynamodb || all

package stores

import (
	"github.com/narvik-go/narvik/storeurl/dynamourl"
	"github.com/narvik-go/narvik/storeurl/urlopen"
)

// dynamodb returns the opener of the dynamodb driver, which the dynamodb or all build tag brings in.
func dynamodb() urlopen.Opener { return dynamourl.Opener() }
