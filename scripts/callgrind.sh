#!/usr/bin/env bash
# The noise-free guard of the hot path: the number of instructions one
# memstore ValidateSession executes, counted by valgrind's callgrind, for
# each kind of session data. Unlike wall time, an instruction count does not
# move when other programs load the machine (run to run it varies by about
# 2%, from Go's random map seeds), so a fixed threshold catches a regression
# without flaking. Exits non-zero when a count exceeds its limit.
#
#   scripts/callgrind.sh            check every limit
#   UPDATE=1 scripts/callgrind.sh   print the counts only
#
# The limits are about 15% above the counts measured when they were set
# (go1.26.8, valgrind 3.19, x86_64; under valgrind SHA-256 runs its AVX2
# code, valgrind hiding the SHA-NI extension). A new Go release can move
# them: rerun with UPDATE=1 and set them anew in the same commit as the
# toolchain change.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/hotpath" ./internal/hotpath
n=2000
# data -> limit, instructions per ValidateSession (measured: none 4,802,
# binary 5,916, json 30,867).
declare -A limit=([none]=5500 [binary]=6800 [json]=35500)
failed=0
for data in none binary json; do
	# GOGC=off: no collection inside the measured loop; asyncpreemptoff:
	# callgrind mishandles Go's preemption signals; one P: one thread.
	out=$(GOGC=off GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null --toggle-collect='main.validate*' \
		"$dir/hotpath" -data "$data" -n "$n" 2>&1) || { echo "$out" >&2; exit 1; }
	total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out")
	[ -n "$total" ] || { echo "$out" >&2; echo "callgrind.sh: no instruction count in valgrind's output" >&2; exit 1; }
	per=$((total / n))
	if [ -n "${UPDATE:-}" ]; then
		echo "ValidateSession, data $data: $per instructions"
	elif [ "$per" -gt "${limit[$data]}" ]; then
		echo "FAIL ValidateSession, data $data: $per instructions, limit ${limit[$data]}"
		failed=1
	else
		echo "ok   ValidateSession, data $data: $per instructions (limit ${limit[$data]})"
	fi
done
exit $failed
