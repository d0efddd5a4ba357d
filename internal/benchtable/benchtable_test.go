package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
pkg: github.com/narvik-go/narvik/drivers/xstore
BenchmarkBaseline/serial-2         	  1000	      1000 ns/op	     100 B/op	      10 allocs/op
BenchmarkBaseline/serial-2         	  1000	       900 ns/op	     100 B/op	      11 allocs/op
BenchmarkConformance/ValidateHitBinary/serial-2 	  1000	      2000 ns/op	     100 B/op	      14 allocs/op
BenchmarkConformance/PairedHitBinary/serial-2 	  1000	      3000 ns/op	         1.030 ratio	      1000 raw-ns/op	      1030 op-ns/op
BenchmarkConformance/ValidateHit/serial-2 	  1000	      2000 ns/op	     100 B/op	      20 allocs/op
pkg: github.com/narvik-go/narvik/drivers/memstore
BenchmarkConformance/ValidateHitNoData/serial-2 	  1000	       350 ns/op	     160 B/op	       2 allocs/op
BenchmarkConformance/ValidateMalformed/serial-2 	  1000	         5 ns/op	         0 storecalls/op	       0 B/op	       0 allocs/op
pkg: github.com/narvik-go/narvik/tests/migrate
BenchmarkMigrate/bolt-to-redis-2 	       1	2000000000 ns/op	     50000 sessions/s
`

// A benchmark run several times counts with its fastest run and fewest
// allocations; paired ratios and store calls are read.
func TestParse(t *testing.T) {
	rs := parse(strings.NewReader(sample))
	base, ok := rs.get("xstore", "Baseline/serial")
	if !ok || base.ns != 900 || base.allocs != 10 {
		t.Errorf("Baseline/serial = %+v, %v; want 900 ns and 10 allocs", base, ok)
	}
	if p, _ := rs.get("xstore", "Conformance/PairedHitBinary/serial"); p.ratio != 1.03 || p.rawNs != 1000 || p.opNs != 1030 {
		t.Errorf("PairedHitBinary = %+v", p)
	}
	if m, _ := rs.get("memstore", "Conformance/ValidateMalformed/serial"); m.storeCalls != "0 store calls/op" {
		t.Errorf("ValidateMalformed = %+v", m)
	}
}

// The read targets use the paired ratio where there is one, and every
// target is judged on both its ratio and its allocations.
func TestTargets(t *testing.T) {
	var out bytes.Buffer
	write(&out, parse(strings.NewReader(sample)), "", nil, "")
	for _, want := range []string{
		"| xstore ValidateSession hit, data encoding itself / Baseline (serial): <= 1.05 and <= raw + 4 allocs | paired 1.03 (1.03 µs / 1.00 µs); apart 2.22; raw +4 allocs | met |",
		"| xstore ValidateSession hit, JSON data / Baseline (serial): <= 1.05 and <= raw + 4 allocs | 2.22 (2.00 µs / 900 ns), raw +10 allocs | **missed** |",
		"| memstore ValidateSession hit, no data: <= 400 ns and <= 2 allocs | 350 ns, 2 allocs | met |",
		"| memstore malformed token: 0 store calls | 0 store calls/op | met |",
		"| bolt-to-redis | 50000 | 2000.00 ms |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestObserverSection(t *testing.T) {
	var with, without strings.Builder
	write(&with, parse(strings.NewReader(sample)), "", nil, "| instrumentation | added |\n| a | +1 ns |\n")
	write(&without, parse(strings.NewReader(sample)), "", nil, "")
	got := with.String()
	sec := strings.Index(got, "## Observability (narvikotel)")
	if sec < 0 || !strings.Contains(got[sec:], "| a | +1 ns |") || strings.Index(got, "## All results") < sec {
		t.Fatalf("the observer's table is not in its section before All results:\n%s", got)
	}
	if strings.Contains(without.String(), "## Observability") {
		t.Fatal("a section on observability with no observer output")
	}
}

func TestSQLSweepTarget(t *testing.T) {
	const run = `pkg: github.com/narvik-go/narvik/drivers/postgresstore
BenchmarkDeleteAllExpired/expired=1%/index-2      	      10	   1000000 ns/op	     100 B/op	      10 allocs/op
BenchmarkDeleteAllExpired/expired=1%/fullscan-2   	      10	  25000000 ns/op	     100 B/op	      10 allocs/op
pkg: github.com/narvik-go/narvik/drivers/mysqlstore
BenchmarkDeleteAllExpired/expired=1%/index-2      	      10	   1000000 ns/op	     100 B/op	      10 allocs/op
BenchmarkDeleteAllExpired/expired=1%/fullscan-2   	      10	   5000000 ns/op	     100 B/op	      10 allocs/op
`
	var out strings.Builder
	write(&out, parse(strings.NewReader(run)), "", nil, "")
	for _, want := range []string{
		"| postgresstore DeleteAllExpiredSessions (1% of 100,000 expired) >= 20x cheaper than a DELETE by full scan | 25.0x (1.00 ms vs 25.00 ms) | met |",
		"| mysqlstore DeleteAllExpiredSessions (1% of 100,000 expired) >= 20x cheaper than a DELETE by full scan | 5.0x (1.00 ms vs 5.00 ms) | **missed** |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no row\n%s\nin\n%s", want, out.String())
		}
	}
}

func TestSQLValidateTarget(t *testing.T) {
	const run = `pkg: github.com/narvik-go/narvik/drivers/mysqlstore
BenchmarkBaseline/serial-2                        	   10000	     70000 ns/op	     900 B/op	      27 allocs/op
BenchmarkConformance/ValidateHit/serial-2         	   10000	     80000 ns/op	    1200 B/op	      35 allocs/op
BenchmarkValidateVsBaseline/serial-2              	    3705	    149780 ns/op	     72405 baseline-ns/op	     77261 validate-ns/op	         1.067 x-baseline
`
	var out strings.Builder
	write(&out, parse(strings.NewReader(run)), "", nil, "")
	for _, want := range []string{
		"| mysqlstore ValidateSession hit, JSON data / raw SELECT by primary key, interleaved (serial): <= 1.10 and <= raw + 10 allocs | 1.07 (77.26 µs / 72.41 µs), raw +8 allocs | met |",
		"| mysqlstore ValidateSession hit, JSON data / Baseline (serial): <= 1.05 and <= raw + 4 allocs | paired 1.07 (77.26 µs / 72.41 µs); apart 1.14; raw +8 allocs | **missed** |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no row\n%s\nin\n%s", want, out.String())
		}
	}
}
