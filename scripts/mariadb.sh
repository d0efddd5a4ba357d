#!/usr/bin/env bash
# Usage: scripts/mariadb.sh up|down|status
#
# Test server for drivers/mysqlstore: MariaDB 10.11 (Debian's mariadb-server)
# on 127.0.0.1:3307 only (NARVIK_PORT_OFFSET=N adds N), with a private datadir made by mariadb-install-db
# under .services/mariadb/. User root without a password, no binary log,
# and no flush at each commit (tests only: a crash of the machine may lose
# the last second of writes, which the tests never keep).
#
# up      installs mariadb-server with apt when it is missing, creates the
#         datadir once, starts mariadbd unless it runs, waits (bounded) until
#         it answers, creates the database narvik and writes
#         .services/mariadb.env. Safe to call twice.
# down    stops the server by the PID in its pidfile.
# status  exits 0 when the server answers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIR=$PWD/.services/mariadb
ENV_FILE=.services/mariadb.env
PORT=$((3307 + ${NARVIK_PORT_OFFSET:-0}))
# mariadbd lives in /usr/sbin, not on an ordinary user's PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin ;; esac

ready() { mariadb -h 127.0.0.1 -P "$PORT" -u root --connect-timeout=1 -e 'SELECT 1' >/dev/null 2>&1; }

install() {
	command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 && return 0
	scripts/install-deps.sh mariadb-server
}

up() {
	SECONDS=0
	install
	mkdir -p "$DIR"
	if [ ! -d "$DIR/data/mysql" ]; then
		mariadb-install-db --datadir="$DIR/data" --user="$(id -un)" --auth-root-authentication-method=normal \
			--skip-test-db >"$DIR/install.log" 2>&1 || { cat "$DIR/install.log" >&2; return 1; }
	fi
	if ! ready; then
		# --no-defaults: the machine's /etc/mysql settings are not ours.
		nohup mariadbd --no-defaults --datadir="$DIR/data" --socket="$DIR/sock" --port="$PORT" \
			--bind-address=127.0.0.1 --user="$(id -un)" --pid-file="$DIR/pid" --log-error="$DIR/error.log" \
			--skip-log-bin --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
			--max-connections=300 --character-set-server=utf8mb4 >/dev/null 2>&1 &
		for ((i = 0; i < 300; i++)); do ready && break; sleep 0.1; done
		ready || { echo "mariadb.sh: timed out waiting for 127.0.0.1:$PORT; see $DIR/error.log" >&2; tail -20 "$DIR/error.log" >&2; return 1; }
	fi
	mariadb -h 127.0.0.1 -P "$PORT" -u root -e 'CREATE DATABASE IF NOT EXISTS narvik'
	echo "export NARVIK_MYSQL_DSN='root@tcp(127.0.0.1:$PORT)/narvik'" >"$ENV_FILE"
	echo "== mariadb: $(mariadbd --version | sed 's/.*Ver //; s/ for .*//') on 127.0.0.1:$PORT, database narvik (${SECONDS}s)"
	echo "== mariadb: wrote $ENV_FILE"
}

down() {
	if [ -f "$DIR/pid" ]; then
		local pid
		pid=$(cat "$DIR/pid")
		if kill -0 "$pid" 2>/dev/null; then
			stop_pid "$pid" 30 || true
		fi
		rm -f "$DIR/pid"
	fi
	rm -f "$ENV_FILE"
	echo "== mariadb: stopped"
}

status() { ready; }

dispatch "$@"
