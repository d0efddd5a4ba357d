#!/usr/bin/env bash
# make bench: the shared benchmarks of every driver against real servers,
# the codec comparison and the comparison with alexedwards/scs (bench/),
# and the instruction counts of scripts/callgrind.sh and
# scripts/callgrind-codecs.sh, written to
# docs/benchmarks.md with ratios to each driver's raw client operations.
#
# BENCHTIME (default 1s) and COUNT (default 1) go to go test; on a busy
# machine COUNT=3 or more steadies the numbers (each benchmark counts with
# its fastest run).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache docs
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"
scripts/with-services.sh bash -c '
set -euo pipefail
flags=(-run "^$" -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-1}" -timeout 60m)
go test "${flags[@]}" -bench . github.com/narvik-go/narvik/drivers/... github.com/narvik-go/narvik/bench/... github.com/narvik-go/narvik/tests/migrate/...
# encoding/json/v2, and encoding/json on its implementation.
GOEXPERIMENT=jsonv2 go test "${flags[@]}" -bench "Codec/encoding" github.com/narvik-go/narvik/bench/codecs
' | tee .cache/bench.txt
{ UPDATE=1 scripts/callgrind.sh; scripts/callgrind-codecs.sh; } | tee .cache/callgrind.txt
# What observability costs (issue 18): a section of its own, measured in
# one process by its own harness.
ROUNDS=${ROUNDS:-21} scripts/bench-observer.sh | tee .cache/observer.txt
go run ./internal/benchtable -machine "$machine" -instructions .cache/callgrind.txt -observer .cache/observer.txt < .cache/bench.txt > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
