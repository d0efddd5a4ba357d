module github.com/narvik-go/narvik/codecs/cborcodec

go 1.25.0

require (
	github.com/fxamacker/cbor/v2 v2.10.0
	github.com/narvik-go/narvik v0.0.0-00010101000000-000000000000
)

require github.com/x448/float16 v0.8.4 // indirect

// Development: the library from this checkout. Consumers never see this line
// (a replace applies only in the main module). See README, "Contributing".
replace github.com/narvik-go/narvik => ../..
