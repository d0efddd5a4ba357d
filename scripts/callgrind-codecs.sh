#!/usr/bin/env bash
# The instructions one decode of the benchmarks' session costs with each
# codec of bench/codecs, counted by valgrind's callgrind: the codec
# comparison of docs/benchmarks.md without the noise of a shared machine.
# make bench (scripts/bench.sh) runs it; it prints lines such as
#   codec cborcodec: 7345 instructions
# encoding/json/v2 and encoding/json on its implementation are built with
# GOEXPERIMENT=jsonv2.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind-codecs.sh: valgrind is not installed" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/plain" ./bench/codecs/cmd/decodecount
GOEXPERIMENT=jsonv2 go build -o "$dir/jsonv2" ./bench/codecs/cmd/decodecount
n=2000
count() { # binary codec
	local out total
	# As in scripts/callgrind.sh: no GC in the loop, no preemption signals.
	out=$(GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null --toggle-collect='main.measured' \
		"$1" -codec "$2" -n "$n" 2>&1) || { echo "$out" >&2; exit 1; }
	total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out")
	echo "codec $2: $((total / n)) instructions"
}
while IFS= read -r c; do count "$dir/plain" "$c"; done < <("$dir/plain" -list)
while IFS= read -r c; do
	case "$c" in encoding/json*) count "$dir/jsonv2" "$c" ;; esac
done < <("$dir/jsonv2" -list)
