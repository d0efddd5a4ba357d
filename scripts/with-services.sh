#!/usr/bin/env bash
# Usage: scripts/with-services.sh COMMAND [ARGS...]
#
# Starts the test servers on 127.0.0.1 (scripts/redis.sh, dynamodb.sh,
# ferretdb.sh, postgres.sh, mariadb.sh), exports the NARVIK_* variables they
# write to .services/*.env, runs COMMAND, and stops the servers it started. Servers already running
# (make services-up) are reused and left running.
set -euo pipefail
cd "$(dirname "$0")/.."
# Servers such as mariadbd live in /usr/sbin, not on an ordinary user's PATH;
# the tests start private instances of them too.
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH=$PATH:/usr/sbin ;; esac

# One run at a time per checkout: two share the pidfiles under .services/,
# so the second one's cleanup would stop the first one's servers mid-test.
mkdir -p .services
exec 9>.services/with-services.lock
if ! flock -n 9; then
	echo "with-services.sh: another make test (or make bench) runs in this checkout; wait for it, or use another checkout with NARVIK_PORT_OFFSET set" >&2
	exit 1
fi

services=(redis dynamodb ferretdb postgres mariadb)
started=()
cleanup() {
	for s in "${started[@]}"; do scripts/$s.sh down || true; done
	if [ -n "${compose_started:-}" ]; then docker compose stop mongo >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

for s in "${services[@]}"; do
	if scripts/$s.sh status >/dev/null 2>&1; then
		echo "== $s: already running, reusing it"
		scripts/$s.sh up >/dev/null 9>&-
	else
		echo "== $s: starting"
		scripts/$s.sh up 9>&- # (servers must not inherit the lock)
		started+=("$s")
	fi
done

set -a
for f in .services/*.env; do . "$f"; done
set +a

# With a Docker engine (and outside CI), the MongoDB driver runs against a
# real mongod from docker-compose.yml instead of the FerretDB test server.
if [ -z "${CI:-}" ] && [ -z "${NARVIK_NO_DOCKER:-}" ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
	echo "== docker: starting mongo:7 from docker-compose.yml on 127.0.0.1:27017"
	docker compose up -d --wait mongo && compose_started=1
	export NARVIK_MONGO_URI="mongodb://127.0.0.1:27017/"
fi

echo "== servers: redis ${NARVIK_REDIS_URL:-none} | cluster ${NARVIK_REDIS_CLUSTER_ADDRS:-none} | mongo ${NARVIK_MONGO_URI:-none} | dynamodb ${NARVIK_DYNAMODB_ENDPOINT:-none} | postgres ${NARVIK_POSTGRES_URL:-none} | mysql ${NARVIK_MYSQL_DSN:-none}"
"$@" 9>&-
