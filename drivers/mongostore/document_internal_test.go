package mongostore

import (
	"bytes"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// idFilter builds, byte for byte, what the BSON encoder makes of
// bson.D{{"_id", id}}.
func TestIDFilter(t *testing.T) {
	for _, id := range []string{"", "x", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "é\u2028"} {
		want, err := bson.Marshal(bson.D{{Key: "_id", Value: id}})
		if err != nil {
			t.Fatal(err)
		}
		if got := idFilter(id); !bytes.Equal(got, want) {
			t.Errorf("idFilter(%q) = %x, want %x", id, []byte(got), want)
		}
	}
}
