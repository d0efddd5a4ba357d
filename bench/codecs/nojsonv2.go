//go:build !goexperiment.jsonv2

package codecs

const jsonName = "encoding/json"

// jsonV2 is empty: encoding/json/v2 needs GOEXPERIMENT=jsonv2.
func jsonV2() []Codec { return nil }
