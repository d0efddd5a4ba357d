package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/redis/go-redis/v9"
	"golang.org/x/term"
)

// Exit codes (see the package documentation).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitUnavailable = 3
)

// exitError is an error with the exit code it ends the command with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

func unavailable(err error) error { return &exitError{exitUnavailable, err} }

// cli is one run of the command: where it writes and what it knows of its
// surroundings, so tests can run it in-process too.
type cli struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// terminal is set when stderr is a terminal: migrate draws a progress
	// bar there. width is the terminal's width in columns.
	terminal bool
	width    int
	// store is the global -store flag, given before the command.
	store string
}

// quiet drops go-redis's log lines: its pool logs every failed dial on
// stderr, and the command reports the error once, itself.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func main() {
	redis.SetLogger(quiet{})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	c := &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		c.terminal = true
		if w, _, err := term.GetSize(fd); err == nil {
			c.width = w
		}
	}
	code := c.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// commands maps a command's name to the function that runs it with its
// arguments.
var commands = map[string]func(c *cli, ctx context.Context, args []string) error{
	"migrate":       (*cli).migrate,
	"sessions":      (*cli).sessions,
	"purge-expired": (*cli).purgeExpired,
	"ensure-schema": (*cli).ensureSchema,
	"stats":         (*cli).stats,
}

const mainUsage = `narvik works on narvik session stores.

Usage:
  narvik migrate -from URL -to URL [-dry-run] [-workers N]
                                        copy every live session from one store to another
  narvik sessions list -user ID         list a user's live sessions
  narvik sessions revoke -user ID | -id ID
                                        sign a user out everywhere, or end one session
  narvik purge-expired                  delete expired sessions
  narvik ensure-schema                  create the store's table, indexes or file if missing
  narvik stats                          what the store holds

The commands but migrate act on -store URL (after the command, or before
it), default $NARVIK_STORE. Store URLs: memory, bolt:PATH,
redis://HOST:PORT/DB, rediss://..., redis-cluster://H1:P1,H2:P2,
rediss-cluster://..., mongodb://..., mongodb+srv://..., dynamodb://HOST:PORT,
dynamodb://aws, postgres://USER@HOST:PORT/DB, mysql://USER:PASS@HOST:PORT/DB,
sqlite:PATH; parameters prefix= (Redis), collection= (MongoDB), table=
(DynamoDB, SQL) and region= (DynamoDB).

"narvik COMMAND -h" describes a command.

Exit codes: 0 done, 1 failed or interrupted (rerun migrate to resume),
2 usage or bad URL, 3 store unreachable or not ready (nothing written).
`

// run runs the command args name and returns the exit code.
func (c *cli) run(ctx context.Context, args []string) int {
	global := flag.NewFlagSet("narvik", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&c.store, "store", "", "store URL for the commands that take -store")
	err := global.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(c.stdout, mainUsage)
		return exitOK
	case err != nil:
		return c.fail(usageError("%v", err))
	}
	args = global.Args()
	if len(args) == 0 {
		fmt.Fprint(c.stderr, mainUsage)
		return exitUsage
	}
	name, args := args[0], args[1:]
	if name == "help" {
		if len(args) == 0 {
			fmt.Fprint(c.stdout, mainUsage)
			return exitOK
		}
		name, args = args[0], append(args[1:], "-h")
	}
	cmd, ok := commands[name]
	if !ok {
		return c.fail(usageError("unknown command %q; run \"narvik -h\" for the list", name))
	}
	return c.fail(cmd(c, ctx, args))
}

// fail prints err, if any, and returns its exit code.
func (c *cli) fail(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{exitFailed, err}
	}
	if ee.err != nil && ee.err != flag.ErrHelp {
		fmt.Fprintf(c.stderr, "narvik: %v\n", strings.TrimSpace(ee.err.Error()))
	}
	return ee.code
}

// flags returns the flag set of a command, whose -h prints usage (the
// synopsis) and summary, and then the flags.
func (c *cli) flags(name, usage, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("narvik "+name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: narvik %s %s\n\n%s\n\nFlags:\n", name, usage, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs. -h prints the usage on stdout and ends the
// command with exit code 0; a bad flag prints it on stderr and ends it with
// exit code 2. A command takes no arguments besides its flags.
func (c *cli) parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(c.stdout)
		fs.Usage()
		return &exitError{exitOK, flag.ErrHelp}
	case err != nil:
		fs.SetOutput(c.stderr)
		fs.Usage()
		return usageError("%v", err)
	case fs.NArg() > 0:
		fs.SetOutput(c.stderr)
		fs.Usage()
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// storeFlag adds -store to fs, defaulting to the global -store flag, else
// NARVIK_STORE.
func (c *cli) storeFlag(fs *flag.FlagSet) *string {
	def := c.store
	if def == "" {
		def = c.getenv("NARVIK_STORE")
	}
	return fs.String("store", def, "the store's URL (default $NARVIK_STORE)")
}
