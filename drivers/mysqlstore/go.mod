module github.com/narvik-go/narvik/drivers/mysqlstore

go 1.25.0

require (
	github.com/go-sql-driver/mysql v1.10.1
	github.com/narvik-go/narvik v0.0.0-00010101000000-000000000000
	go.uber.org/goleak v1.3.0
)

require filippo.io/edwards25519 v1.2.0 // indirect

// Development: the library from this checkout. Consumers never see this line
// (a replace applies only in the main module). See README, "Contributing".
replace github.com/narvik-go/narvik => ../..
