// Package urlopen parses and opens narvik session stores named by URLs,
// with the drivers a program chooses to compile in. It is the light core of
// package storeurl: it opens memory and bolt:PATH itself, and every other
// kind of store through an Opener that the program passes to New, one per
// driver, each in a package of its own:
//
//	redisurl.Opener()     redis://, rediss://, redis-cluster://, rediss-cluster://
//	mongourl.Opener()     mongodb://, mongodb+srv://
//	dynamourl.Opener()    dynamodb://
//	postgresurl.Opener()  postgres://, postgresql://
//	mysqlurl.Opener()     mysql://
//	sqliteurl.Opener()    sqlite:
//
// A Go program compiles only the packages it imports, so a program that
// imports urlopen and no opener builds none of the server clients (the AWS
// SDK, the MongoDB driver, go-redis, pgx, the MySQL driver, the SQLite
// port): the demo app builds in a fraction of the time. Package storeurl
// passes every opener and keeps the Parse and Open functions that open any
// URL; the narvik command uses it.
//
//	set := urlopen.New(redisurl.Opener())    // memory, bolt:PATH and Redis
//	o, err := set.Open(ctx, "redis://127.0.0.1:6379/0")
//
// A URL of a kind the set has no Opener for is refused with a
// *NotBuiltInError (which matches ErrBadURL), so that a program can say how
// to get a build that has it. There is no registry: what a Set opens is
// what it was given.
//
// The URL forms and their parameters are those of package storeurl.
// Parsing does no I/O; opening connects and reads, never writes on a
// server.
package urlopen
