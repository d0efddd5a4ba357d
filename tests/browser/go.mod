module github.com/narvik-go/narvik/tests/browser

go 1.25.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/narvik-go/narvik v0.0.0
	github.com/narvik-go/narvik/examples/webapp v0.0.0-00010101000000-000000000000
)

require (
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/narvik-go/narvik => ../..

replace (
	github.com/narvik-go/narvik/drivers/dynamostore => ../../drivers/dynamostore
	github.com/narvik-go/narvik/drivers/mongostore => ../../drivers/mongostore
	github.com/narvik-go/narvik/drivers/mysqlstore => ../../drivers/mysqlstore
	github.com/narvik-go/narvik/drivers/postgresstore => ../../drivers/postgresstore
	github.com/narvik-go/narvik/drivers/redisstore => ../../drivers/redisstore
	github.com/narvik-go/narvik/drivers/sqlitestore => ../../drivers/sqlitestore
	github.com/narvik-go/narvik/examples/webapp => ../../examples/webapp
	github.com/narvik-go/narvik/storeurl => ../../storeurl
)
