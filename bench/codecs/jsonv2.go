//go:build goexperiment.jsonv2

package codecs

import jsonv2 "encoding/json/v2"

// jsonName names encoding/json: under this experiment it runs on the v2
// implementation.
const jsonName = "encoding/json+jsonv2"

func jsonV2() []Codec {
	marshal := func(v any) ([]byte, error) { return jsonv2.Marshal(v) }
	unmarshal := func(data []byte, v any) error { return jsonv2.Unmarshal(data, v) }
	return []Codec{{"encoding/json/v2", marshal, unmarshal, true}}
}
