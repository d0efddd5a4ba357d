// Package dualstore is a narvik.SessionStore over two stores, for moving an
// application from one store to another while it runs, without signing
// anyone out.
//
//	dual, err := dualstore.New(boltStore, redisStore)
//	auth, err := narvik.New[Device](dual)
//	go dual.Migrate(ctx) // copies the rest in the background
//
// Writes go to the new store. A read looks in the new store first and, when
// the session is not there, in the old one, and moves what it finds there
// into the new store. Sign-outs (one session or every session of a user)
// act on both stores, old first, so that a session signed out during the
// move stays signed out. Listing a user's sessions merges both stores, the
// new store's copy winning. Once Migrate has finished, every session is in
// the new store: point the application at the new store alone and retire
// the old one. README, "Moving to another store", has the whole procedure.
//
// # Races
//
// A move is: read the session in the old store, write it to the new store
// (put-if-absent), read it in the old store again and, when it is gone,
// delete the copy (narvik.CopySession). Sign-outs delete from the old
// store before the new one. Whichever of a move and a sign-out comes last,
// the session ends up in neither store, across any number of processes.
//
// Within one process, a per-session lock (striped over 256 locks) also
// orders reads, moves, expiry updates and sign-outs of the same session, so
// no read of this Store can see a copy that its move has not yet checked,
// and an expiry update of a session still only in the old store moves it
// first and then updates it, never creating it. Store.Migrate copies under
// the same locks, which is why the application's own process should run it
// rather than narvik.Migrate(ctx, old, new). Between processes (a second
// instance of the application, or `narvik migrate`), a read in one process
// can see another process's copy of a session signed out at that very
// moment for as long as that process takes to check it (one read of the
// old store) before it deletes it for good. A process killed between a
// copy and its check can leave such a copy behind; this needs a sign-out
// of that very session in the same instant.
//
// # Cost
//
// A session found in the new store costs one read, as without the dual
// store. A session still only in the old store costs three reads and a
// write, once. A token that matches no session costs two reads. Expiry
// updates go to the new store alone; the old store keeps the expiry it
// had, so an application moved back to the old store would see sessions
// extended during the move expire at their earlier time. Sign-outs cost one
// delete in each store. SaveSession does not ask the old store whether the
// ID exists: session IDs are hashes of random tokens, so a new session
// cannot clash with an old one.
//
// The Store owns neither store: closing them is the caller's business, once
// the Store is no longer used. It starts no goroutines.
package dualstore
