// Command narvik works on narvik session stores without writing Go: it
// moves every session from one store to another, lists and revokes a
// user's sessions, purges expired ones, creates a store's schema and
// counts what a store holds.
//
//	narvik migrate -from URL -to URL [-dry-run] [-workers N]
//	narvik sessions list -user ID [-store URL]
//	narvik sessions revoke -user ID | -id ID [-store URL]
//	narvik purge-expired [-store URL]
//	narvik ensure-schema [-store URL]
//	narvik stats [-store URL] [-walk]
//
// Stores are named by URL, as the demo app's -store flag names them
// (package storeurl): memory, bolt:PATH, redis://HOST:PORT/DB, rediss://,
// redis-cluster://H1:P1,H2:P2, rediss-cluster://, mongodb://,
// mongodb+srv://, dynamodb://HOST:PORT, dynamodb://aws,
// postgres://USER@HOST:PORT/DB, mysql://USER:PASS@HOST:PORT/DB, sqlite:PATH.
// -store defaults to the NARVIK_STORE variable. `narvik COMMAND -h` describes each command.
//
// Before any write, narvik checks every URL and reaches every store it
// needs; a bad URL or an unreachable server stops it with nothing changed.
// migrate shows a progress bar with its rate and the time left when its
// standard error is a terminal, and plain lines otherwise.
//
// Exit codes, for scripts:
//
//	0  done (also: nothing to revoke, nothing to purge)
//	1  the command failed or was interrupted part way (a store error, a
//	   source that cannot be walked); for migrate, running it again resumes
//	2  usage: an unknown command or flag, a missing flag, a bad store URL
//	3  a store could not be opened: unreachable server, refused
//	   credentials, missing table or schema, missing or locked bbolt file;
//	   nothing was written
package main
