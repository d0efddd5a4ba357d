#!/usr/bin/env bash
# make bench: the shared benchmarks of every driver against real servers,
# written to docs/benchmarks.md with ratios to each driver's raw baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache docs
machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(go version | cut -d' ' -f3), $(date -u +%Y-%m-%d)"
scripts/with-services.sh bash -c 'go test -run "^$" -bench . -benchtime "${BENCHTIME:-1s}" -timeout 60m github.com/narvik-go/narvik/drivers/... github.com/narvik-go/narvik/tests/migrate/... | tee .cache/bench.txt'
go run ./internal/benchtable -machine "$machine" < .cache/bench.txt > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
