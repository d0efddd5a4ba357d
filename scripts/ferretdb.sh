#!/usr/bin/env bash
# FerretDB test server for drivers/mongostore: a MongoDB-wire server (FerretDB
# v1.24.2 embedded, SQLite backend) built from tools/ferretdb, its own Go module.
#
#   scripts/ferretdb.sh up      build if needed, start on 127.0.0.1:27018, write .services/ferretdb.env
#                               (NARVIK_PORT_OFFSET=N adds N to the port)
#   scripts/ferretdb.sh down    stop the server this script started
#   scripts/ferretdb.sh status  say whether it runs
#
# Env written (.services/ferretdb.env):
#   NARVIK_MONGO_URI     the server's URI
#   NARVIK_FERRETDB_BIN  absolute path of the binary, for tests that start a private instance
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
root="$(pwd)"

port=$((27018 + ${NARVIK_PORT_OFFSET:-0}))
addr="127.0.0.1:${port}"
bin="${root}/.cache/bin/ferretdb-testserver"
state="${root}/.services/ferretdb"
pidfile="${state}/ferretdb.pid"
logfile="${state}/ferretdb.log"
envfile="${root}/.services/ferretdb.env"

running() {
	[[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

# build compiles the server when the binary is missing or older than its
# sources. Go's build cache makes a rebuild after a source change fast.
build() {
	local src=(tools/ferretdb/main.go tools/ferretdb/go.mod tools/ferretdb/go.sum)
	local stale=0 f
	if [[ ! -x "$bin" ]]; then
		stale=1
	else
		for f in "${src[@]}"; do
			[[ "$f" -nt "$bin" ]] && stale=1
		done
	fi
	if ((stale)); then
		command -v go >/dev/null || { echo "ferretdb: go is not on PATH" >&2; exit 1; }
		echo "ferretdb: building ${bin#"$root"/} (FerretDB v1.24.2; 1-3 minutes from scratch, seconds with a warm Go cache)"
		mkdir -p "$(dirname "$bin")"
		local t0=$SECONDS
		(cd tools/ferretdb && GOWORK=off GOFLAGS=-mod=readonly go build -o "$bin" .)
		echo "ferretdb: built in $((SECONDS - t0))s"
	fi
}

write_env() {
	mkdir -p "$(dirname "$envfile")"
	cat >"$envfile" <<ENV
export NARVIK_MONGO_URI=mongodb://${addr}/
export NARVIK_FERRETDB_BIN=${bin}
ENV
}

up() {
	build
	if running; then
		write_env
		echo "ferretdb: already running (pid $(cat "$pidfile")) on ${addr}; env in ${envfile#"$root"/}"
		return
	fi
	if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
		echo "ferretdb: something else already listens on ${addr} (another checkout's server? stop it, or set NARVIK_PORT_OFFSET to use other ports)" >&2
		exit 1
	fi
	# A test server keeps nothing worth keeping: start from an empty data
	# directory, so collections left by an interrupted run do not pile up.
	# (A previous run that died leaves at most this and a stale pidfile.)
	rm -rf "${state}/data" "$pidfile"
	mkdir -p "${state}/data"
	nohup "$bin" -listen "$addr" -dir "${state}/data" >"${state}/uri" 2>"$logfile" </dev/null &
	echo $! >"$pidfile"
	# The server prints its URI on stdout once it accepts connections.
	local i
	for ((i = 0; i < 150; i++)); do
		if [[ -s "${state}/uri" ]]; then
			write_env
			echo "ferretdb: running (pid $(cat "$pidfile")) on ${addr}, data in ${state#"$root"/}/data, log ${logfile#"$root"/}"
			echo "ferretdb: env in ${envfile#"$root"/}: NARVIK_MONGO_URI=mongodb://${addr}/ NARVIK_FERRETDB_BIN=${bin}"
			return
		fi
		if ! running; then
			echo "ferretdb: server exited during start; log:" >&2
			tail -n 20 "$logfile" >&2 || true
			rm -f "$pidfile"
			exit 1
		fi
		sleep 0.1
	done
	echo "ferretdb: not ready on ${addr} after 15s; log:" >&2
	tail -n 20 "$logfile" >&2 || true
	down
	exit 1
}

down() {
	if ! running; then
		rm -f "$pidfile"
		echo "ferretdb: not running"
		return
	fi
	local pid
	pid="$(cat "$pidfile")"
	if ! stop_pid "$pid" 10; then
		echo "ferretdb: pid ${pid} ignored SIGTERM for 10s; sent SIGKILL" >&2
	fi
	rm -f "$pidfile" "${state}/uri"
	echo "ferretdb: stopped (pid ${pid})"
}

status() {
	if running; then
		echo "ferretdb: running (pid $(cat "$pidfile")) on ${addr}"
	else
		echo "ferretdb: not running"
		return 1
	fi
}

dispatch "$@"
