package main

import (
	"bufio"
	"io"
	"math"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// result is one benchmark: the fastest of its runs when -count repeated it
// (on a shared machine the minimum is the estimate least disturbed by
// other programs), with the fewest allocations seen.
type result struct {
	pkg, name   string // pkg: the last element of the package path; name without "Benchmark" and the -GOMAXPROCS suffix
	ns, allocs  float64
	bytes       float64 // encoded size (codecs), or -1
	ratio       float64 // BenchmarkPaired's op/raw ratio, or -1
	rawNs, opNs float64 // BenchmarkPaired's sides
	rate        float64 // sessions/s, for the migration benchmarks (tests/migrate)
	storeCalls  string  // "N store calls/op" (ValidateMalformed), or ""
}

var (
	line       = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(.*)$`)
	allocsRe   = regexp.MustCompile(`([\d.]+) allocs/op`)
	bytesRe    = regexp.MustCompile(`([\d.]+) bytes(\s|$)`)
	storeCalls = regexp.MustCompile(`([\d.]+) storecalls/op`)
	// BenchmarkPaired's, and the SQL drivers' ValidateVsBaseline (sqltest).
	ratioRe = regexp.MustCompile(`([\d.]+) (?:ratio|x-baseline)(\s|$)`)
	rawNsRe = regexp.MustCompile(`([\d.]+) (?:raw|baseline)-ns/op`)
	opNsRe  = regexp.MustCompile(`([\d.]+) (?:op|validate)-ns/op`)
	rateRe  = regexp.MustCompile(`([\d.]+) sessions/s`)
)

// results is every benchmark of a run, in the order first seen.
type results struct {
	order []string
	by    map[string]result // key: pkg + " " + name
}

func (rs *results) get(pkg, name string) (result, bool) {
	r, ok := rs.by[pkg+" "+name]
	return r, ok
}

// pkgs returns the packages in the order first seen.
func (rs *results) pkgs() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range rs.order {
		if p := rs.by[k].pkg; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func parse(r io.Reader) *results {
	rs := &results{by: map[string]result{}}
	pkg := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := sc.Text()
		if p, ok := strings.CutPrefix(l, "pkg: "); ok {
			pkg = path.Base(strings.TrimSpace(p))
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		ns, _ := strconv.ParseFloat(m[2], 64)
		res := result{pkg: pkg, name: m[1], ns: ns, allocs: -1, bytes: -1, ratio: -1}
		if a := allocsRe.FindStringSubmatch(m[3]); a != nil {
			res.allocs, _ = strconv.ParseFloat(a[1], 64)
		}
		if b := bytesRe.FindStringSubmatch(m[3]); b != nil {
			res.bytes, _ = strconv.ParseFloat(b[1], 64)
		}
		if r := ratioRe.FindStringSubmatch(m[3]); r != nil {
			res.ratio, _ = strconv.ParseFloat(r[1], 64)
			if v := rawNsRe.FindStringSubmatch(m[3]); v != nil {
				res.rawNs, _ = strconv.ParseFloat(v[1], 64)
			}
			if v := opNsRe.FindStringSubmatch(m[3]); v != nil {
				res.opNs, _ = strconv.ParseFloat(v[1], 64)
			}
		}
		if v := rateRe.FindStringSubmatch(m[3]); v != nil {
			res.rate, _ = strconv.ParseFloat(v[1], 64)
		}
		if c := storeCalls.FindStringSubmatch(m[3]); c != nil {
			res.storeCalls = c[1] + " store calls/op"
		}
		key := pkg + " " + res.name
		if old, seen := rs.by[key]; seen {
			if old.ratio >= 0 && old.ns < res.ns { // a paired run: keep the quieter pair whole
				res.ratio, res.rawNs, res.opNs = old.ratio, old.rawNs, old.opNs
			}
			res.ns = math.Min(res.ns, old.ns)
			if old.allocs >= 0 && (res.allocs < 0 || old.allocs < res.allocs) {
				res.allocs = old.allocs
			}
		} else {
			rs.order = append(rs.order, key)
		}
		rs.by[key] = res
	}
	return rs
}

// instructions reads the output of scripts/callgrind.sh (UPDATE=1) and
// scripts/callgrind-codecs.sh: "data none" (a memstore ValidateSession
// without data, "data binary", "data json") and "codec <name>" (one decode)
// -> instructions.
func instructions(r io.Reader) map[string]int {
	out := map[string]int{}
	re := regexp.MustCompile(`(data|codec) (\S+): (\d+) instructions`)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]+" "+m[2]], _ = strconv.Atoi(m[3])
		}
	}
	return out
}
