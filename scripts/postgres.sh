#!/usr/bin/env bash
# Usage: scripts/postgres.sh up|down|status
#
# Test server for drivers/postgresstore: PostgreSQL 15 (Debian's
# postgresql-15) on 127.0.0.1:5433 only (NARVIK_PORT_OFFSET=N adds N), in a private cluster made with
# initdb under .services/postgres/. No Unix socket, trust authentication on
# loopback, fsync=off (tests only: a crash of the machine may lose the data,
# which the tests never keep).
#
# PostgreSQL refuses to run as root. Run as root (CI, these machines), the
# cluster's folder belongs to the unprivileged `postgres` user and every
# server command runs as that user; run as anyone else, as yourself. When
# that user cannot reach .services/ (a checkout under /root), the cluster
# lives in /tmp/narvik-postgres-<uid>-<hash of the checkout path> instead,
# and .services/postgres/datadir says where.
#
# up      installs postgresql with apt when it is missing, creates the cluster
#         once, starts it unless it runs, waits (bounded) until it answers,
#         creates the database narvik and writes .services/postgres.env.
#         Safe to call twice.
# down    stops the server of this checkout (pg_ctl stop -m fast).
# status  exits 0 when the server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

BIN=/usr/lib/postgresql/15/bin
DIR=$PWD/.services/postgres
ENV_FILE=.services/postgres.env
PORT=$((5433 + ${NARVIK_PORT_OFFSET:-0}))
URL="postgres://postgres@127.0.0.1:$PORT/narvik?sslmode=disable"

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres; }

install() {
	[ -x "$BIN/postgres" ] && return 0
	scripts/install-deps.sh postgresql-15
}

# cluster_dir prints the folder that holds the cluster (see above).
cluster_dir() {
	if [ -f "$DIR/datadir" ]; then
		cat "$DIR/datadir"
		return
	fi
	local d=$DIR/cluster
	if [ "$(id -u)" = 0 ]; then
		mkdir -p "$d"
		chown postgres: "$d"
		if ! runuser -u postgres -- test -w "$d"; then
			d=/tmp/narvik-postgres-0-$(echo "$PWD" | md5sum | cut -c1-12)
			mkdir -p "$d"
			chown postgres: "$d"
			chmod 700 "$d"
		fi
	fi
	echo "$d" >"$DIR/datadir"
	echo "$d"
}

up() {
	SECONDS=0
	install
	mkdir -p "$DIR"
	local c
	c=$(cluster_dir)
	if [ ! -f "$c/data/PG_VERSION" ]; then
		(cd "$c" && as_owner "$BIN/initdb" -D "$c/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log")
	fi
	if ! ready; then
		(cd "$c" && as_owner "$BIN/pg_ctl" -D "$c/data" -l "$c/server.log" -w -t 30 start \
			-o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null) ||
			{ echo "postgres.sh: the server did not start; see $c/server.log" >&2; tail -20 "$c/server.log" >&2; return 1; }
	fi
	for ((i = 0; i < 100; i++)); do ready && break; sleep 0.1; done
	ready || { echo "postgres.sh: timed out waiting for 127.0.0.1:$PORT" >&2; return 1; }
	if ! "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'narvik'" | grep -q 1; then
		"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE narvik"
	fi
	echo "export NARVIK_POSTGRES_URL=$URL" >"$ENV_FILE"
	echo "== postgres: $("$BIN/postgres" --version) on 127.0.0.1:$PORT, database narvik (${SECONDS}s)"
	echo "== postgres: wrote $ENV_FILE"
}

down() {
	local c
	c=$(cat "$DIR/datadir" 2>/dev/null || true)
	if [ -n "$c" ] && [ -f "$c/data/postmaster.pid" ]; then
		(cd "$c" && as_owner "$BIN/pg_ctl" -D "$c/data" -m fast -w -t 30 stop >/dev/null) || true
	fi
	rm -f "$ENV_FILE"
	echo "== postgres: stopped"
}

status() { ready; }

dispatch "$@"
