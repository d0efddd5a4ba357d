#!/usr/bin/env bash
# Runs every fuzz target for a short while (default 10s each): make fuzz.
#
# A failure that wrote a failing input is a real finding and fails at once.
# Go's fuzzer can also stop with a bare "context deadline exceeded" when a
# short -fuzztime ends while it is still gathering coverage or minimising on
# a loaded machine; such a run is retried once, and fails if it happens again.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fuzz() {
	go test -run '^$' -fuzz "^$2\$" -fuzztime "$time" "$1" >"$log" 2>&1
}
for pkg in $(go list github.com/narvik-go/narvik/...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
		echo "== fuzz $pkg $target ($time)"
		if fuzz "$pkg" "$target"; then tail -1 "$log"; continue; fi
		cat "$log"
		if grep -q "Failing input written" "$log" || ! grep -q "context deadline exceeded" "$log"; then
			exit 1
		fi
		echo "== fuzzer stopped on its own deadline without a finding; retrying once"
		if ! fuzz "$pkg" "$target"; then cat "$log"; exit 1; fi
		tail -1 "$log"
	done
done
