package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
)

func (c *cli) purgeExpired(ctx context.Context, args []string) error {
	fs := c.flags("purge-expired", "[-store URL]",
		"Deletes the expired sessions of the store and says how many it deleted.\nStores never return an expired session; this only reclaims their space.")
	store := c.storeFlag(fs)
	o, err := c.parseAndOpen(ctx, fs, args, store)
	if err != nil {
		return err
	}
	defer o.Close()
	n, err := o.Store.DeleteAllExpiredSessions(ctx)
	if err != nil {
		return fmt.Errorf("purge the expired sessions of %s: %w", o.Description(), err)
	}
	fmt.Fprintf(c.stdout, "deleted %d expired %s\n", n, plural(n, "session", "sessions"))
	if native(o.Store) {
		fmt.Fprintf(c.stderr, "%s also deletes expired sessions by itself; the count is only what this run deleted\n", o.Description())
	}
	return nil
}

func native(s narvik.SessionStore) bool {
	ne, ok := s.(narvik.NativeExpiry)
	return ok && ne.ExpiresNatively()
}

func (c *cli) ensureSchema(ctx context.Context, args []string) error {
	fs := c.flags("ensure-schema", "[-store URL]",
		"Creates what the store needs before first use when it is missing (a DynamoDB\ntable and its TTL setting, MongoDB indexes, an SQL table and its indexes, a\nbbolt or SQLite file), and checks what exists. Running it again changes\nnothing.")
	store := c.storeFlag(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	spec, err := parseURL("-store", *store)
	if err != nil {
		return err
	}
	// Not ready yet by definition: no probe read before the schema exists.
	o, err := open(ctx, spec, false, storeurl.Create())
	if err != nil {
		return err
	}
	defer o.Close()
	ensured, err := o.EnsureSchema(ctx)
	if err != nil {
		return fmt.Errorf("ensure the schema of %s: %w", o.Description(), err)
	}
	if !ensured {
		fmt.Fprintf(c.stdout, "%s needs no schema; nothing to do\n", o.Description())
		return nil
	}
	fmt.Fprintf(c.stdout, "schema of %s is in place\n", o.Description())
	return nil
}

func (c *cli) stats(ctx context.Context, args []string) error {
	fs := c.flags("stats", "[-store URL] [-walk]",
		"Says what the store holds: its live sessions where the store can count them\ncheaply (a file or memory: it reads them all, locally), and how expired\nsessions leave it. A store on a server cannot count its sessions without\nreading every one; -walk does that anyway.")
	store := c.storeFlag(fs)
	walk := fs.Bool("walk", false, "count the sessions of a store on a server by reading every one")
	o, err := c.parseAndOpen(ctx, fs, args, store)
	if err != nil {
		return err
	}
	defer o.Close()
	e, enumerable := o.Store.(narvik.Enumerator)
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "store:\t%s\n", o.Description())
	switch {
	case !enumerable:
		fmt.Fprintf(tw, "live sessions:\tnot counted: this store cannot list its sessions\n")
	case local(o.Spec.Kind) || *walk:
		start := time.Now()
		n, bytes, err := count(ctx, e)
		if err != nil {
			return fmt.Errorf("count the sessions of %s: %w", o.Description(), err)
		}
		fmt.Fprintf(tw, "live sessions:\t%d\n", n)
		fmt.Fprintf(tw, "session data:\t%d bytes\n", bytes)
		if !local(o.Spec.Kind) {
			fmt.Fprintf(tw, "counted in:\t%v, reading every session\n", time.Since(start).Round(time.Millisecond))
		}
	default:
		fmt.Fprintf(tw, "live sessions:\tnot counted: a store on a server counts its sessions only by reading every one; narvik stats -walk does\n")
	}
	if native(o.Store) {
		fmt.Fprintf(tw, "expired sessions:\tdeleted by the server itself\n")
	} else {
		fmt.Fprintf(tw, "expired sessions:\tinvisible, kept until narvik purge-expired (or the application's sweep) deletes them\n")
	}
	migrate := "yes"
	if !enumerable {
		migrate = "no (its driver does not implement narvik.Enumerator)"
	}
	fmt.Fprintf(tw, "can be migrated from:\t%s\n", migrate)
	return tw.Flush()
}

// local reports whether a store of kind lives in this process or a local
// file, so that reading all of it is cheap.
func local(k storeurl.Kind) bool {
	return k == storeurl.Memory || k == storeurl.Bolt || k == storeurl.SQLite
}

// count walks e and returns how many live sessions it holds and the size of
// their data.
func count(ctx context.Context, e narvik.Enumerator) (n, bytes int64, err error) {
	for r, err := range e.AllSessions(ctx) {
		if err != nil {
			return n, bytes, err
		}
		n++
		bytes += int64(len(r.Data))
	}
	return n, bytes, nil
}
