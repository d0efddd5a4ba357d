// Command decodecount decodes the benchmarks' session with one codec of the
// comparison many times, for scripts/callgrind-codecs.sh: under valgrind's
// callgrind it counts the instructions of a decode, a measure of a codec's
// speed that does not move when the machine is busy.
//
//	decodecount -codec cborcodec -n 2000
//
// It decodes 1,024 sessions of different users in turn, as BenchmarkCodec
// does; only measured runs the counted loop.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/narvik-go/narvik/bench/codecs"
	"github.com/narvik-go/narvik/conformance"
)

func main() {
	name := flag.String("codec", "encoding/json", "the codec, by its name in bench/codecs")
	n := flag.Int("n", 2000, "decodes measured")
	list := flag.Bool("list", false, "print the codecs of this build and exit")
	flag.Parse()
	for _, c := range codecs.Candidates() {
		if *list {
			fmt.Println(c.Name)
			continue
		}
		if c.Name != *name {
			continue
		}
		values, err := codecs.Distinct(c, 1024)
		if err != nil {
			fmt.Fprintln(os.Stderr, "decodecount:", err)
			os.Exit(1)
		}
		warm(c, values, len(values))
		if err := measured(c, values, *n); err != nil {
			fmt.Fprintln(os.Stderr, "decodecount:", err)
			os.Exit(1)
		}
		return
	}
	if !*list {
		fmt.Fprintf(os.Stderr, "decodecount: no codec %q in this build\n", *name)
		os.Exit(2)
	}
}

// warm is measured under another name, outside the counted function.
//
//go:noinline
func warm(c codecs.Codec, values [][]byte, n int) { _ = loop(c, values, n) }

// measured is the counted function: n decodes.
//
//go:noinline
func measured(c codecs.Codec, values [][]byte, n int) error { return loop(c, values, n) }

func loop(c codecs.Codec, values [][]byte, n int) error {
	var d conformance.BenchData
	for i := range n {
		if err := c.Unmarshal(values[i%len(values)], &d); err != nil {
			return err
		}
	}
	return nil
}
