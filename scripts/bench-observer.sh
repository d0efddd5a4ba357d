#!/usr/bin/env bash
# What observability costs ValidateSession over memstore (issue 18), in one
# process; the numbers of docs/benchmarks.md, "Observability".
#
# 1. Zero cost when unused: the core with no observer, before observers
#    landed against now.
#      before  this checkout's core, storekit and memstore, with narvik.go as
#              it was before observers landed ($BASE, default f27489b) plus
#              the one helper observer.go needs, under another import path;
#      now     this checkout.
#    Only narvik.go differs, so this is the hook's cost alone. Fails when
#    the time grows by more than 5% or allocations grow at all.
# 2. What narvikotel adds, against the same Narvik without it: the Observer
#    on the global providers never set, on the no-op providers, on the SDK
#    (metrics; metrics and sampled spans), and with WrapStore too.
#
# A shared machine's load swings by tens of percent within seconds, so no
# two benchmarks run apart can be compared, and wall time mostly measures
# the wait for a core. Each comparison here runs ROUNDS rounds; a round
# measures N validations of A, of B, of B, of A, each from a collected heap,
# in CPU time of the one thread that runs them all (CLOCK_THREAD_CPUTIME_ID),
# and gives the ratio (and difference) of the sums; the report is the median
# over rounds. The garbage collector is off while a timing runs (its pacing
# varies from run to run); the allocations, which set what it would cost,
# are reported on their own.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BASE:-f27489b}
root=$PWD
export GOWORK=off

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/old/narvik" "$tmp/old/storekit" "$tmp/old/memstore"
copy() { # copy PKGDIR DEST: the non-test files, imports moved to the old copy
	for f in "$1"/*.go; do
		case "$f" in *_test.go) continue ;; esac
		sed -e 's#"github.com/narvik-go/narvik"#"zerocost.example/old/narvik"#' \
			-e 's#"github.com/narvik-go/narvik/storekit"#"zerocost.example/old/storekit"#' "$f" >"$2/$(basename "$f")"
	done
}
copy . "$tmp/old/narvik"
copy storekit "$tmp/old/storekit"
copy drivers/memstore "$tmp/old/memstore"
git show "$base:narvik.go" >"$tmp/old/narvik/narvik.go"
# observer.go (which the old narvik.go never calls) needs this one helper.
printf 'package narvik\n\nfunc isRefusal(error) bool { return false }\n' >"$tmp/old/narvik/refusal_shim.go"

cat >"$tmp/go.mod" <<EOF
module zerocost.example

go 1.25.0

require (
	github.com/narvik-go/narvik v0.0.0-00010101000000-000000000000
	github.com/narvik-go/narvik/narvikotel v0.0.0-00010101000000-000000000000
)

replace github.com/narvik-go/narvik => $root

replace github.com/narvik-go/narvik/narvikotel => $root/narvikotel
EOF
cat go.sum narvikotel/go.sum | sort -u >"$tmp/go.sum"
cat >"$tmp/main.go" <<'EOF'
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"golang.org/x/sys/unix"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	oldmemstore "zerocost.example/old/memstore"
	oldnarvik "zerocost.example/old/narvik"

	"github.com/narvik-go/narvik"
	"github.com/narvik-go/narvik/drivers/memstore"
	"github.com/narvik-go/narvik/narvikotel"
)

// benchData is conformance.BenchData: what a web app keeps.
type benchData struct {
	IP        string `json:"ip"`
	UserAgent string `json:"ua"`
}

var data = benchData{IP: "203.0.113.42", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/135.0"}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var ctx = context.Background()

// validate returns a func validating one live session of n.
func validate[D any](n *narvik.Narvik[D], d D) func() {
	tok := must(n.CreateSession(ctx, "bench", d)).Token
	return func() {
		if s, err := n.ValidateSession(ctx, tok); s == nil || err != nil {
			panic(err)
		}
	}
}

func validateOld[D any](d D) func() {
	n := must(oldnarvik.New[D](oldmemstore.New()))
	tok := must(n.CreateSession(ctx, "bench", d)).Token
	return func() {
		if s, err := n.ValidateSession(ctx, tok); s == nil || err != nil {
			panic(err)
		}
	}
}

// instrumented returns validations of a Narvik[struct{}] over memstore
// with the Observer (and WrapStore) on opts.
func instrumented(wrap bool, opts ...narvikotel.Option) func() {
	var store narvik.SessionStore = memstore.New()
	if wrap {
		store = must(narvikotel.WrapStore(store, opts...))
	}
	obs := must(narvikotel.NewObserver(opts...))
	return validate(must(narvik.New[struct{}](store, narvik.WithObserver(obs))), struct{}{})
}

// threadCPU is the CPU time this thread has used. Unlike the wall clock it
// does not run while the thread waits for a core, which on a loaded
// machine is most of the time.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		panic(err)
	}
	return time.Duration(ts.Nano())
}

// timeN measures n calls of f in CPU ns per call, from a collected heap and
// with the collector off until the end, so that neither side pays for the
// garbage of the other, nor for collections whose pacing varies from run
// to run: what garbage costs follows from the allocations, reported apart.
func timeN(f func(), n int) float64 {
	runtime.GC()
	gc := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(gc)
	start := threadCPU()
	for range n {
		f()
	}
	return float64(threadCPU()-start) / float64(n)
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

type result struct {
	a, b, ratio, added float64 // medians: ns/op of a and b, b/a, b-a
	allocsA, allocsB   float64
}

func compare(a, b func(), rounds, n int) result {
	timeN(a, n) // warm up
	timeN(b, n)
	var as, bs, ratios, added []float64
	for range rounds {
		a1, b1 := timeN(a, n), timeN(b, n)
		b2, a2 := timeN(b, n), timeN(a, n)
		as, bs = append(as, a1, a2), append(bs, b1, b2)
		ratios = append(ratios, (b1+b2)/(a1+a2))
		added = append(added, (b1+b2-a1-a2)/2)
	}
	return result{median(as), median(bs), median(ratios), median(added),
		testing.AllocsPerRun(1000, a), testing.AllocsPerRun(1000, b)}
}

func main() {
	rounds := flag.Int("rounds", 51, "rounds per comparison")
	n := flag.Int("n", 10000, "validations per timing")
	flag.Parse()
	// One thread for all timings: its CPU clock is the one read.
	runtime.LockOSThread()
	failed := false

	fmt.Printf("Zero cost when unused: no observer, before observers landed vs now (%d rounds of 4 x %d validations):\n\n", *rounds, *n)
	fmt.Println("| memstore benchmark | before (CPU ns/op) | now | now / before | allocs/op before, now | verdict |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | --- |")
	for _, c := range []struct {
		name       string
		before, now func()
	}{
		{"ValidateHit (session data, JSON)", validateOld(data), validate(must(narvik.New[benchData](memstore.New())), data)},
		{"ValidateHitNoData (the core's own share)", validateOld(struct{}{}), validate(must(narvik.New[struct{}](memstore.New())), struct{}{})},
	} {
		r := compare(c.before, c.now, *rounds, *n)
		verdict := "met (<= 1.05, no added allocation)"
		if r.ratio > 1.05 || r.allocsB > r.allocsA {
			verdict, failed = "**missed**", true
		}
		fmt.Printf("| %s | %.0f ns | %.0f ns | %.3f | %.0f, %.0f | %s |\n", c.name, r.a, r.b, r.ratio, r.allocsA, r.allocsB, verdict)
	}

	noop := []narvikotel.Option{
		narvikotel.WithMeterProvider(metricnoop.NewMeterProvider()),
		narvikotel.WithTracerProvider(tracenoop.NewTracerProvider()),
	}
	sdk := func(traced bool) []narvikotel.Option {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		if !traced {
			return []narvikotel.Option{narvikotel.WithMeterProvider(mp), narvikotel.WithTracerProvider(tracenoop.NewTracerProvider())}
		}
		// Every span sampled and handed to an exporter that drops it: the
		// SDK's cost without an exporter's.
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
		return []narvikotel.Option{narvikotel.WithMeterProvider(mp), narvikotel.WithTracerProvider(tp)}
	}
	base := validate(must(narvik.New[struct{}](memstore.New())), struct{}{})
	fmt.Printf("\nWhat narvikotel adds to ValidateSession (memstore, no session data) against the same Narvik without it (%d rounds of 4 x %d validations):\n\n", *rounds, *n)
	fmt.Println("| instrumentation | without (CPU ns/op) | with | added | allocs/op added |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Observer, global providers never set", instrumented(false)},
		{"Observer, no-op providers", instrumented(false, noop...)},
		{"Observer, SDK metrics (no-op tracer)", instrumented(false, sdk(false)...)},
		{"Observer, SDK metrics and sampled spans", instrumented(false, sdk(true)...)},
		{"Observer and WrapStore, no-op providers", instrumented(true, noop...)},
		{"Observer and WrapStore, SDK metrics (no-op tracer)", instrumented(true, sdk(false)...)},
		{"Observer and WrapStore, SDK metrics and sampled spans", instrumented(true, sdk(true)...)},
	} {
		r := compare(base, c.f, *rounds, *n)
		fmt.Printf("| %s | %.0f ns | %.0f ns | %+.0f ns | %+.0f |\n", c.name, r.a, r.b, r.added, r.allocsB-r.allocsA)
	}
	if failed {
		os.Exit(1)
	}
}
EOF
cd "$tmp"
go mod tidy 2>"$tmp/tidy.log" || { cat "$tmp/tidy.log"; exit 1; }
go run . -rounds "${ROUNDS:-51}" -n "${N:-10000}"
