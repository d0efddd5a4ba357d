// Command hotpath validates one memstore session many times, for
// scripts/callgrind.sh: under valgrind --tool=callgrind it counts the
// instructions of ValidateSession, a measure of the hot path that, unlike
// wall time, does not move when the machine is busy.
//
//	hotpath -data none|binary|json -n 1000
//
// Only validate runs the measured loop, so callgrind's --toggle-collect
// sees nothing else; a first, unmeasured round warms the caches and maps.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/conformance"
	"github.com/narvik-go/narvik/drivers/memstore"
)

func main() {
	data := flag.String("data", "none", "session data: none (struct{}), binary (conformance.BenchBinaryData) or json (conformance.BenchData)")
	n := flag.Int("n", 1000, "validations measured")
	flag.Parse()
	var err error
	switch *data {
	case "none":
		err = run(struct{}{}, *n)
	case "binary":
		err = run(conformance.BenchBinaryData(conformance.BenchSample), *n)
	case "json":
		err = run(conformance.BenchSample, *n)
	default:
		err = fmt.Errorf("unknown -data %q", *data)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotpath:", err)
		os.Exit(1)
	}
}

func run[D any](data D, n int) error {
	ctx := context.Background()
	auth, err := narvik.New[D](memstore.New())
	if err != nil {
		return err
	}
	res, err := auth.CreateSession(ctx, "user-42", data)
	if err != nil {
		return err
	}
	if got := warm(ctx, auth, res.Token, 100); got != 100 {
		return fmt.Errorf("warm-up validated %d of 100", got)
	}
	if got := validate(ctx, auth, res.Token, n); got != n {
		return fmt.Errorf("validated %d of %d", got, n)
	}
	return nil
}

// warm is validate under another name, outside the measured function.
//
//go:noinline
func warm[D any](ctx context.Context, auth *narvik.Narvik[D], token string, n int) int {
	return loop(ctx, auth, token, n)
}

// validate is the measured function: n validations of a live session.
//
//go:noinline
func validate[D any](ctx context.Context, auth *narvik.Narvik[D], token string, n int) int {
	return loop(ctx, auth, token, n)
}

func loop[D any](ctx context.Context, auth *narvik.Narvik[D], token string, n int) int {
	ok := 0
	for range n {
		if s, err := auth.ValidateSession(ctx, token); s != nil && err == nil {
			ok++
		}
	}
	return ok
}
