package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/narvik-go/narvik"
)

// idPrefix is how many characters of a session ID the list shows: 64 bits,
// unique among any one user's sessions, and enough for revoke -user -id.
const idPrefix = 16

func (c *cli) sessions(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		w := c.stdout
		if len(args) == 0 {
			w = c.stderr
		}
		fmt.Fprint(w, "Usage:\n  narvik sessions list -user ID [-store URL]\n  narvik sessions revoke -user ID | -id ID [-store URL]\n\n\"narvik sessions list -h\" and \"narvik sessions revoke -h\" describe them.\n")
		if len(args) == 0 {
			return &exitError{exitUsage, nil}
		}
		return nil
	}
	switch args[0] {
	case "list":
		return c.list(ctx, args[1:])
	case "revoke":
		return c.revoke(ctx, args[1:])
	}
	return usageError("unknown command \"sessions %s\": want sessions list or sessions revoke", args[0])
}

func (c *cli) list(ctx context.Context, args []string) error {
	fs := c.flags("sessions list", "-user ID [-store URL]",
		"Lists the live sessions of a user, oldest first: the start of each session ID,\nwhen it was created, when it expires (UTC) and the size of its data.")
	user := fs.String("user", "", "the user `ID` (required)")
	store := c.storeFlag(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *user == "" {
		return usageError("sessions list: -user ID is required")
	}
	o, err := openFlag(ctx, "-store", *store)
	if err != nil {
		return err
	}
	defer o.Close()
	rs, err := o.Store.FetchSessionsForUser(ctx, *user)
	if err != nil {
		return fmt.Errorf("list the sessions of %q in %s: %w", *user, o.Description(), err)
	}
	slices.SortFunc(rs, func(a, b narvik.Record) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tEXPIRES\tDATA")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d B\n", prefix(r.ID), stamp(r.CreatedAt), stamp(r.ExpiresAt), len(r.Data))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "%d live %s of user %q in %s\n", len(rs), plural(len(rs), "session", "sessions"), *user, o.Description())
	return nil
}

func prefix(id string) string { return id[:min(idPrefix, len(id))] }

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (c *cli) revoke(ctx context.Context, args []string) error {
	fs := c.flags("sessions revoke", "-user ID | -id ID [-store URL]",
		"Signs a user out everywhere (-user), or ends one session (-id, the whole\n64-character session ID). With both, -id may be the start of an ID as\n\"sessions list\" shows it, and ends that session of the user.\nNothing to revoke is not an error.")
	user := fs.String("user", "", "revoke every session of the user `ID`")
	id := fs.String("id", "", "revoke the session with this `ID`")
	store := c.storeFlag(fs)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	*id = strings.ToLower(*id)
	switch {
	case *user == "" && *id == "":
		return usageError("sessions revoke: give -user ID or -id ID")
	case *user == "" && len(*id) != 64:
		return usageError("sessions revoke: -id wants the whole 64-character session ID (or give -user too, to use its start)")
	case !isHex(*id):
		return usageError("sessions revoke: -id %q is not a session ID (hexadecimal)", *id)
	}
	o, err := openFlag(ctx, "-store", *store)
	if err != nil {
		return err
	}
	defer o.Close()
	s := o.Store
	switch {
	case *id == "":
		rs, err := s.FetchSessionsForUser(ctx, *user)
		if err != nil {
			return fmt.Errorf("list the sessions of %q: %w", *user, err)
		}
		if err := s.DeleteSessionsForUser(ctx, *user); err != nil {
			return fmt.Errorf("revoke the sessions of %q: %w", *user, err)
		}
		fmt.Fprintf(c.stdout, "revoked %d %s of user %q\n", len(rs), plural(len(rs), "session", "sessions"), *user)
		return nil
	case *user != "":
		rs, err := s.FetchSessionsForUser(ctx, *user)
		if err != nil {
			return fmt.Errorf("list the sessions of %q: %w", *user, err)
		}
		var match []narvik.Record
		for _, r := range rs {
			if strings.HasPrefix(r.ID, *id) {
				match = append(match, r)
			}
		}
		switch len(match) {
		case 0:
			fmt.Fprintf(c.stdout, "user %q has no live session %s...; nothing to revoke\n", *user, *id)
			return nil
		case 1:
			*id = match[0].ID
		default:
			return usageError("sessions revoke: %d sessions of %q start with %s; give more of the ID", len(match), *user, *id)
		}
	}
	r, err := s.FetchSession(ctx, *id)
	if errors.Is(err, narvik.ErrSessionNotFound) {
		fmt.Fprintf(c.stdout, "no live session %s...; nothing to revoke\n", prefix(*id))
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetch session %s...: %w", prefix(*id), err)
	}
	if err := s.DeleteSession(ctx, *id); err != nil {
		return fmt.Errorf("revoke session %s...: %w", prefix(*id), err)
	}
	fmt.Fprintf(c.stdout, "revoked session %s... of user %q\n", prefix(*id), r.UserID)
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
