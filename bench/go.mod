module github.com/narvik-go/narvik/bench

go 1.25.0

require (
	github.com/narvik-go/narvik v0.0.0-00010101000000-000000000000
	github.com/narvik-go/narvik/codecs/cborcodec v0.0.0-00010101000000-000000000000
	github.com/vmihailenco/msgpack/v5 v5.4.1
)

require (
	github.com/fxamacker/cbor/v2 v2.10.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
)

// Development: the modules of this checkout. Consumers never see these
// lines (a replace applies only in the main module).
replace (
	github.com/narvik-go/narvik => ..
	github.com/narvik-go/narvik/codecs/cborcodec => ../codecs/cborcodec
)
