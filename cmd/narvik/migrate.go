package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/storeurl"
)

func (c *cli) migrate(ctx context.Context, args []string) error {
	fs := c.flags("migrate", "-from URL -to URL [-dry-run] [-workers N]",
		`Copies every live session of the -from store into the -to store, keeping its
ID, user, expiry, creation time and data: every token issued before validates
through the new store. Sessions the target already holds are left as they are,
so running it again copies nothing new, and a run that stopped part way is
finished by running it again. Expired sessions are not copied.

Run it with the application stopped, or with the application on a dual store
(drivers/dualstore) over both stores; README, "Moving to another store".
A store on a server needs its schema first: narvik ensure-schema -store URL.`)
	from := fs.String("from", "", "the store to copy from (`URL`)")
	to := fs.String("to", "", "the store to copy to (`URL`)")
	dry := fs.Bool("dry-run", false, "read both stores and say what would be copied; write nothing")
	workers := fs.Int("workers", narvik.DefaultMigrateWorkers, "how many sessions to write at the same time")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *workers < 1 {
		return usageError("migrate: -workers %d: want at least 1", *workers)
	}
	src, err := parseURL("-from", *from)
	if err != nil {
		return err
	}
	dst, err := parseURL("-to", *to)
	if err != nil {
		return err
	}
	if src.Kind != storeurl.Memory && src.Description() == dst.Description() {
		return usageError("migrate: -from and -to name the same store (%s)", src.Description())
	}

	// Both stores answer before anything is written.
	source, err := open(ctx, src, true)
	if err != nil {
		return err
	}
	defer source.Close()
	var createOpts []storeurl.Option
	if !*dry {
		createOpts = append(createOpts, storeurl.Create())
	}
	target, err := open(ctx, dst, true, createOpts...)
	if err != nil {
		return err
	}
	defer target.Close()
	walker, ok := source.Store.(narvik.Enumerator)
	if !ok {
		return fmt.Errorf("migrate: %s cannot list its sessions (its driver does not implement narvik.Enumerator)", source.Description())
	}

	p := newProgress(c.stderr, c.terminal, c.width)
	opts := []narvik.MigrateOption{narvik.WithMigrateWorkers(*workers), narvik.WithMigrateProgress(p.every(), p.update)}
	if *dry {
		opts = append(opts, narvik.WithMigrateDryRun())
	}
	if !c.terminal {
		verb := "migrating"
		if *dry {
			verb = "dry run, reading"
		}
		fmt.Fprintf(c.stderr, "narvik migrate: %s from %s to %s, %d workers\n", verb, source.Description(), target.Description(), *workers)
	}

	// On a terminal, the bar's ETA needs the total: a second walk of the
	// source counts it beside the copy, reading only.
	var counting sync.WaitGroup
	countCtx, stopCount := context.WithCancel(ctx)
	if c.terminal {
		counting.Go(func() {
			if n, _, err := count(countCtx, walker); err == nil {
				p.setTotal(n)
			}
		})
	}
	st, err := narvik.Migrate(ctx, source.Store, target.Store, opts...)
	stopCount()
	counting.Wait()
	p.finish()

	if err != nil {
		again := ""
		if !*dry {
			again = "; run the same command again to finish"
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return fmt.Errorf("migrate: interrupted after %s%s", summary(st, *dry), again)
		}
		return fmt.Errorf("migrate: stopped after %s%s: %w", summary(st, *dry), again, err)
	}
	if *dry {
		fmt.Fprintf(c.stdout, "dry run: %d live %s in %s: %d would be copied, %d already in %s; nothing was written\n",
			st.Read, plural(int(st.Read), "session", "sessions"), source.Description(), st.Copied, st.Existing, target.Description())
		return nil
	}
	fmt.Fprintf(c.stdout, "migrated from %s to %s: %s in %v, %.0f sessions/s\n",
		source.Description(), target.Description(), summary(st, false), st.Elapsed.Round(time.Millisecond), st.Rate())
	return nil
}

// summary says what a run did so far.
func summary(st narvik.MigrateStats, dry bool) string {
	if dry {
		return fmt.Sprintf("%d sessions read (%d to copy, %d already there)", st.Read, st.Copied, st.Existing)
	}
	return fmt.Sprintf("%d copied, %d already there, %d expired on the way, %d signed out during the copy",
		st.Copied, st.Existing, st.Expired, st.Revoked)
}
