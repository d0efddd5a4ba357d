// Package storeurl opens a narvik session store named by a URL: the one
// notation the demo app's -store flag, the narvik command-line tool and
// operators' scripts share. It imports every driver, so it is a module of
// its own: an application that uses one driver imports that driver, not
// this package.
//
// It is built on package urlopen, which opens memory and bolt:PATH itself
// and every other kind through an Opener of a package of this module
// (redisurl, mongourl, dynamourl, postgresurl, mysqlurl, sqliteurl). A
// program that needs only some of the drivers, such as the demo app,
// imports urlopen and those openers, and compiles no other client:
// urlopen.New(redisurl.Opener()). Parse and Open here are those of
// urlopen.New(Openers()...).
//
// The forms:
//
//	memory                                   a memstore (sessions end with the process)
//	bolt:PATH                                a bbolt file (boltstore)
//	redis://[USER:PASS@]HOST:PORT[/DB]       a Redis server (redisstore); rediss:// for TLS
//	redis-cluster://[USER:PASS@]H1:P1,H2:P2  a Redis Cluster, any of its nodes; rediss-cluster:// for TLS
//	mongodb://... , mongodb+srv://...        MongoDB; the path names the database (default narvik)
//	dynamodb://HOST:PORT                     a DynamoDB endpoint such as DynamoDB Local, over http
//	dynamodb://aws                           DynamoDB on AWS, with the default AWS configuration
//	postgres://USER@HOST:PORT/DB             PostgreSQL (postgresql:// too); pgx's parameters
//	mysql://USER:PASS@HOST:PORT/DB           MySQL or MariaDB; go-sql-driver's parameters
//	sqlite:PATH                              an SQLite file (sqlitestore)
//
// Query parameters choose where in the server the sessions live, so that
// several stores share a server: prefix for Redis (key prefix, default
// "narvik:"), collection for MongoDB (default "sessions"), table and region
// for DynamoDB (default table "narvik-sessions"), table for the SQL stores
// (default "narvik_sessions"). Other parameters go to the client as its own
// parser takes them (go-redis options such as dial_timeout, MongoDB
// connection-string options, pgx's sslmode, go-sql-driver's timeout).
//
// Parse checks a URL without any I/O, so a tool can refuse a bad one
// before it touches anything. Open connects and makes sure the server
// answers, with a read, never a write: it does not create a schema (a
// table, indexes); ensure it explicitly with EnsureSchema, `narvik
// ensure-schema`, or the driver's documented DDL. A bbolt or SQLite file is
// created only when the Create option says so; opening one, as its driver's
// Open does, creates its buckets or table when they are missing.
package storeurl
