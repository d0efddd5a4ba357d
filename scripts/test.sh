#!/usr/bin/env bash
# Runs every test of the repository against real servers on 127.0.0.1.
#
# Servers already running (from `make services-up`) are reused and left
# running; servers this script starts, it stops on exit. Under CI=true a
# missing server fails the tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."

services=(redis dynamodb ferretdb)
started=()
cleanup() {
	for s in "${started[@]}"; do scripts/$s.sh down || true; done
	if [ -n "${compose_started:-}" ]; then docker compose stop mongo >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

for s in "${services[@]}"; do
	if scripts/$s.sh status >/dev/null 2>&1; then
		echo "== $s: already running, reusing it"
		scripts/$s.sh up >/dev/null
	else
		echo "== $s: starting"
		scripts/$s.sh up
		started+=("$s")
	fi
done

set -a
for f in .services/*.env; do . "$f"; done
set +a

# With a Docker engine, the MongoDB driver also runs against a real mongod.
if [ -z "${CI:-}" ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
	echo "== docker: starting mongo:7 from docker-compose.yml on 127.0.0.1:27017"
	docker compose up -d --wait mongo && compose_started=1
	export NARVIK_MONGO_URI="mongodb://127.0.0.1:27017/"
fi

echo "== go test -race ./... (servers: ${NARVIK_REDIS_URL:-none} | ${NARVIK_REDIS_CLUSTER_ADDRS:-none} | ${NARVIK_MONGO_URI:-none} | ${NARVIK_DYNAMODB_ENDPOINT:-none})"
go test -race -count=1 ./...

if [ -f tests/browser/go.mod ]; then
	echo "== headless browser test (tests/browser)"
	(cd tests/browser && go test -count=1 ./...)
fi

echo "== short fuzz runs"
scripts/fuzz.sh 5s
