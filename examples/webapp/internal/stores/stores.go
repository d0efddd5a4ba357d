// Package stores chooses the session store drivers the demo app is built
// with. By default it has only those that need no server client, memory
// and bolt (bbolt, pure Go), so that the first `go run ./examples/webapp`
// compiles none of the AWS SDK, the MongoDB driver, go-redis, pgx, the
// MySQL driver and the SQLite port. A build tag brings a driver in:
//
//	go run -tags redis ./examples/webapp -store redis://127.0.0.1:6379/0
//	go run -tags all ./examples/webapp -store mysql://root@127.0.0.1:3306/narvik
//
// Each driver has two files: NAME.go, built with the tag NAME or all,
// returns its opener; NAME_off.go, built otherwise, returns nil, which
// urlopen.New skips.
package stores

import "github.com/narvik-go/narvik/storeurl/urlopen"

// driver is a driver a build tag brings in.
type driver struct {
	tag    string
	opener urlopen.Opener // nil when this build lacks it
}

func drivers() []driver {
	return []driver{
		{"redis", redis()},
		{"mongodb", mongodb()},
		{"dynamodb", dynamodb()},
		{"postgres", postgres()},
		{"mysql", mysql()},
		{"sqlite", sqlite()},
	}
}

// Set returns the store URLs this build opens.
func Set() *urlopen.Set {
	var openers []urlopen.Opener
	for _, d := range drivers() {
		openers = append(openers, d.opener)
	}
	return urlopen.New(openers...)
}

// Missing returns the build tags of the drivers this build lacks, nil
// when it has them all.
func Missing() []string {
	var tags []string
	for _, d := range drivers() {
		if d.opener == nil {
			tags = append(tags, d.tag)
		}
	}
	return tags
}

// Tag returns the build tag that brings in the driver of kind k, "" for
// memory and bolt, which every build has.
func Tag(k urlopen.Kind) string {
	switch k {
	case urlopen.Redis, urlopen.RedisCluster:
		return "redis"
	case urlopen.MongoDB:
		return "mongodb"
	case urlopen.DynamoDB:
		return "dynamodb"
	case urlopen.Postgres:
		return "postgres"
	case urlopen.MySQL:
		return "mysql"
	case urlopen.SQLite:
		return "sqlite"
	}
	return ""
}
