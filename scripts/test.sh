#!/usr/bin/env bash
# make test: every test of the repository, against real servers on
# 127.0.0.1 (see scripts/with-services.sh). Under CI=true a missing server
# fails the tests instead of skipping them.
#
# First, before any server starts, it checks every prerequisite (Go, Java 17
# and javac, gcc, Redis, Chromium, PostgreSQL 15, MariaDB, ...) and names
# each missing one with the command that installs it: see
# scripts/install-deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== make test: checking prerequisites (scripts/install-deps.sh --check)"
scripts/install-deps.sh --check
exec scripts/with-services.sh bash -c '
set -euo pipefail
# One go test over every module of the workspace (go.work): the pattern
# github.com/narvik-go/narvik/... spans them all, where ./... would stop at
# the first nested go.mod.
# -tags all: the demo app (examples/webapp) with every driver; the tag
# changes nothing else. Its default build, with memory and bolt only (what
# a first go run compiles), is tested after.
echo "== go test -race -tags all github.com/narvik-go/narvik/... (modules: $(go list -m | xargs))"
go test -race -count=1 -tags all github.com/narvik-go/narvik/...
echo "== go test -race ./examples/webapp/... (its default build: memory and bolt only)"
go test -race -count=1 ./examples/webapp/...
# The sign-in flood at the real password cost: -race would make PBKDF2
# many times slower than it is, so this one runs uninstrumented.
echo "== go test -run TestFloodLeavesRoomForAGenuineSignIn/real_cost ./examples/webapp/app (without -race: the real hash cost)"
go test -count=1 -run "TestFloodLeavesRoomForAGenuineSignIn/real_cost" -v ./examples/webapp/app
if [ -f tests/browser/go.mod ]; then
	echo "== headless browser test (tests/browser)"
	(cd tests/browser && GOWORK=off go test -count=1 ./...)
fi
echo "== short fuzz runs"
scripts/fuzz.sh 5s
'
