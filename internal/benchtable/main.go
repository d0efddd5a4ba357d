// Command benchtable turns `go test -bench` output into docs/benchmarks.md:
// the targets of issues 7 and 17, each marked met or missed, with what
// stands between a missed one and its target; the comparison of session
// data codecs; the side-by-side comparison with alexedwards/scs; and every
// result, with each driver operation's ratio to the raw client operation
// measured in the same run.
//
//	go test -run '^$' -bench . ./drivers/... ./bench/... | go run ./internal/benchtable -machine "..." > docs/benchmarks.md
//
// A benchmark that ran several times (-count) counts with its fastest run.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	machine := flag.String("machine", "", "a line describing the machine")
	callgrind := flag.String("instructions", "", "the output of scripts/callgrind.sh (UPDATE=1) and scripts/callgrind-codecs.sh, for the instruction counts")
	observer := flag.String("observer", "", "the output of scripts/bench-observer.sh, for the section on observability")
	flag.Parse()
	rs := parse(os.Stdin)
	var instr map[string]int
	if *callgrind != "" {
		f, err := os.Open(*callgrind)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		instr = instructions(f)
		f.Close()
	}
	var obs string
	if *observer != "" {
		b, err := os.ReadFile(*observer)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchtable:", err)
			os.Exit(1)
		}
		obs = string(b)
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	write(w, rs, *machine, instr, obs)
}

func write(w io.Writer, rs *results, machine string, instr map[string]int, observer string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("# Benchmarks")
	p("")
	p("Written by `make bench` (scripts/bench.sh); do not edit by hand.")
	if machine != "" {
		p("Machine: %s.", machine)
	}
	p("")
	p("Ratios compare with the driver's own raw-client operation in the same run")
	p("(reads: bbolt View+Get, Redis GET, MongoDB FindOne by _id, DynamoDB GetItem;")
	p("writes: the same clients' put-if-absent, update and delete of one value),")
	p("serial with serial and parallel with parallel, so a shared, noisy machine")
	p("cancels out. Each benchmark counts with its fastest run. The Paired")
	p("benchmarks run the raw read and ValidateSession in turns in one loop, so")
	p("both see the same load: their ratio is the one the read targets use.")
	p("")
	writeTargets(p, rs, instr)
	writeCodecs(p, rs, instr)
	writePeers(p, rs)
	writeMigrations(p, rs)
	writeObserver(p, observer)
	writeAll(p, rs)
}

// writeObserver writes the section on observability from the tables of
// scripts/bench-observer.sh, which prints them ready to use.
func writeObserver(p func(string, ...any), out string) {
	if strings.TrimSpace(out) == "" {
		return
	}
	p("## Observability (narvikotel)")
	p("")
	p("`scripts/bench-observer.sh` (run by `make bench`), in one process, CPU time of one")
	p("thread, interleaved rounds, medians: the core with no observer against the core as it")
	p("was before observers landed, and what narvikotel's Observer and WrapStore add.")
	p("")
	p("%s", strings.TrimSpace(out))
	p("")
	p("With no observer the hook costs nothing measurable and no allocation. On no-op")
	p("providers the Observer adds no allocation; on the global providers never set it")
	p("adds a few, because OpenTelemetry's global delegating instruments are not free:")
	p("pass the no-op or SDK providers explicitly.")
	p("")
}

// comparison names, for each narvik operation of conformance.Benchmark, the
// raw operations its ratio divides by (their times and allocations added).
var comparison = map[string][]string{
	"ValidateHit":       {"Baseline"},
	"ValidateHitBinary": {"Baseline"},
	"ValidateHitNoData": {"Baseline"},
	"ValidateMiss":      {"Baseline"},
	"Create":            {"BaselineInsert"},
	"ValidateExtend":    {"Baseline", "BaselineUpdate"},
	"Invalidate":        {"BaselineDelete"},
}

// raw returns the summed raw operations that the conformance benchmark
// name ("Conformance/<op>/<mode>") of pkg compares with.
func raw(rs *results, pkg, name string) (result, bool) {
	op, ok := strings.CutPrefix(name, "Conformance/")
	if !ok {
		return result{}, false
	}
	op, mode, _ := strings.Cut(op, "/")
	bases := comparison[op]
	if len(bases) == 0 {
		return result{}, false
	}
	var sum result
	for _, base := range bases {
		r, ok := rs.get(pkg, base+"/"+mode)
		if !ok || r.ns <= 0 {
			return result{}, false
		}
		sum.ns += r.ns
		sum.allocs += r.allocs
	}
	return sum, true
}

func ns(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f ms", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2f µs", v/1e3)
	}
	return fmt.Sprintf("%.0f ns", v)
}

func allocs(v float64) string {
	if v < 0 {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// writeMigrations writes the rates of narvik.Migrate (tests/migrate).
func writeMigrations(p func(string, ...any), rs *results) {
	header := false
	for _, k := range rs.order {
		r := rs.by[k]
		if r.rate <= 0 {
			continue
		}
		if !header {
			header = true
			p("## Migration")
			p("")
			p("narvik.Migrate with its default 8 writers, 100,000 sessions unless NARVIK_MIGRATE_BENCH_N")
			p("said otherwise (tests/migrate, BenchmarkMigrate).")
			p("")
			p("| migration | sessions/s | one run |")
			p("| --- | ---: | ---: |")
		}
		p("| %s | %.0f | %s |", strings.TrimPrefix(r.name, "Migrate/"), r.rate, ns(r.ns))
	}
	if header {
		p("")
	}
}

func writeAll(p func(string, ...any), rs *results) {
	p("## All results")
	p("")
	p("| package | benchmark | ns/op | allocs/op | ratio to raw |")
	p("| --- | --- | ---: | ---: | ---: |")
	for _, k := range rs.order {
		r := rs.by[k]
		ratio := ""
		if base, ok := raw(rs, r.pkg, r.name); ok {
			ratio = fmt.Sprintf("%.2f", r.ns/base.ns)
		}
		if r.ratio >= 0 {
			ratio = fmt.Sprintf("%.2f paired", r.ratio)
		}
		p("| %s | %s | %s | %s | %s |", r.pkg, r.name, ns(r.ns), allocs(r.allocs), ratio)
	}
}
