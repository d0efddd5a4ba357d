module github.com/narvik-go/narvik/bench

go 1.25.0

require (
	github.com/alexedwards/scs/redisstore v0.0.0-20251002162104-209de6e426de
	github.com/alexedwards/scs/v2 v2.9.0
	github.com/gomodule/redigo v1.8.0
	github.com/narvik-go/narvik v0.0.0-00010101000000-000000000000
	github.com/narvik-go/narvik/codecs/cborcodec v0.0.0-00010101000000-000000000000
	github.com/narvik-go/narvik/drivers/redisstore v0.0.0-00010101000000-000000000000
	github.com/redis/go-redis/v9 v9.22.0
	github.com/vmihailenco/msgpack/v5 v5.4.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/fxamacker/cbor/v2 v2.10.0 // indirect
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

// Development: the modules of this checkout. Consumers never see these
// lines (a replace applies only in the main module).
replace (
	github.com/narvik-go/narvik => ..
	github.com/narvik-go/narvik/codecs/cborcodec => ../codecs/cborcodec
	github.com/narvik-go/narvik/drivers/redisstore => ../drivers/redisstore
)
