package urlopen

import "strings"

// Kind names a form of store URL, and so a driver.
type Kind string

// The kinds of store URL.
const (
	Memory       Kind = "memory"
	Bolt         Kind = "bolt"
	Redis        Kind = "redis"
	RedisCluster Kind = "redis-cluster"
	MongoDB      Kind = "mongodb"
	DynamoDB     Kind = "dynamodb"
	Postgres     Kind = "postgres"
	MySQL        Kind = "mysql"
	SQLite       Kind = "sqlite"
)

// kindOf returns the kind of store raw names by its scheme, or "" when it
// names none. It knows every kind, built in or not, so that a URL of a
// kind the Set lacks is told apart from a typo.
func kindOf(raw string) Kind {
	if raw == "memory" {
		return Memory
	}
	scheme, _, ok := strings.Cut(raw, ":")
	if !ok {
		return ""
	}
	switch scheme {
	case "bolt":
		return Bolt
	case "redis", "rediss":
		return Redis
	case "redis-cluster", "rediss-cluster":
		return RedisCluster
	case "mongodb", "mongodb+srv":
		return MongoDB
	case "dynamodb":
		return DynamoDB
	case "postgres", "postgresql":
		return Postgres
	case "mysql":
		return MySQL
	case "sqlite":
		return SQLite
	}
	return ""
}
