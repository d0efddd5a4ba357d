package narvik

import "encoding/json"

// Codec turns session data into the bytes a store keeps, and back.
// Implementations must be safe for concurrent use. Unmarshal must neither
// modify data nor keep it (or any part of it) after returning: stores may
// hand the same bytes to every caller (see SessionStore).
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json.
type JSONCodec struct{}

// Marshal encodes v with json.Marshal.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes data into v with json.Unmarshal.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
