#!/usr/bin/env bash
# Usage: scripts/redis.sh up|down|status
#
# Test servers for drivers/redisstore, on 127.0.0.1 only:
#   - a standalone Redis on port 6390
#   - a 3-master Redis Cluster on ports 7101-7103 (no replicas)
# NARVIK_PORT_OFFSET=N adds N to every port (a second checkout beside one
# whose servers run).
# Both keep nothing on disk (--save '' --appendonly no); state, logs, pidfiles
# and cluster config files live under .services/redis/.
#
# up      installs redis-server with apt when it is missing, starts whatever is
#         not already running (a server that answers on a port is reused), waits (bounded) for PONG and cluster_state:ok, and
#         writes .services/redis.env. Safe to call twice.
# down    stops exactly the processes whose pidfiles are under .services/redis/.
# status  exits 0 when the standalone server and the cluster answer.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIR=.services/redis
ENV_FILE=.services/redis.env
off=${NARVIK_PORT_OFFSET:-0}
PORT=$((6390 + off))
CLUSTER_PORTS=($((7101 + off)) $((7102 + off)) $((7103 + off)))

ping() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
cluster_ok() { redis-cli -h 127.0.0.1 -p "${CLUSTER_PORTS[0]}" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

# wait_for DESCRIPTION TRIES COMMAND...: polls every 0.1 s, at most TRIES times.
wait_for() {
	local what=$1 tries=$2
	shift 2
	for ((i = 0; i < tries; i++)); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	echo "redis.sh: timed out waiting for $what" >&2
	return 1
}

install() {
	command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
	scripts/install-deps.sh redis-server
}

# start NAME PORT [EXTRA ARGS...]: starts one daemonized redis-server unless
# something already answers on PORT.
start() {
	local name=$1 port=$2
	shift 2
	if ping "$port"; then return 0; fi
	mkdir -p "$DIR/$name"
	redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
		--daemonize yes --dir "$PWD/$DIR/$name" \
		--pidfile "$PWD/$DIR/$name.pid" --logfile "$PWD/$DIR/$name.log" "$@"
	wait_for "redis on port $port (see $DIR/$name.log)" 100 ping "$port"
}

up() {
	SECONDS=0
	install
	mkdir -p "$DIR"
	start standalone "$PORT"
	for p in "${CLUSTER_PORTS[@]}"; do
		start "cluster-$p" "$p" --cluster-enabled yes \
			--cluster-config-file "$PWD/$DIR/nodes-$p.conf" --cluster-node-timeout 2000
	done
	if ! cluster_ok; then
		# A fresh set of nodes has no slots yet: create the cluster. Nodes that
		# already know each other (an earlier up) only need time to agree.
		if redis-cli -h 127.0.0.1 -p "${CLUSTER_PORTS[0]}" cluster info | grep -q 'cluster_slots_assigned:0'; then
			local addrs=()
			for p in "${CLUSTER_PORTS[@]}"; do addrs+=("127.0.0.1:$p"); done
			redis-cli --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes >"$DIR/cluster-create.log"
		fi
		wait_for "cluster_state:ok on port ${CLUSTER_PORTS[0]}" 200 cluster_ok
	fi
	# Every node must see the cluster as ok, not just the first one.
	for p in "${CLUSTER_PORTS[@]}"; do
		wait_for "cluster_state:ok on port $p" 200 \
			bash -c "redis-cli -h 127.0.0.1 -p $p cluster info | grep -q cluster_state:ok"
	done
	local cluster_addrs
	cluster_addrs=$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}")
	cluster_addrs=${cluster_addrs%,}
	cat >"$ENV_FILE" <<-EOF
		export NARVIK_REDIS_URL=redis://127.0.0.1:$PORT/0
		export NARVIK_REDIS_CLUSTER_ADDRS=$cluster_addrs
	EOF
	echo "== redis: Redis $(redis-server --version | cut -d= -f2 | cut -d" " -f1) standalone on 127.0.0.1:$PORT, 3-master cluster on $cluster_addrs (${SECONDS}s)"
	echo "== redis: wrote $ENV_FILE"
}

down() {
	shopt -s nullglob
	for pidfile in "$DIR"/*.pid; do
		local pid
		pid=$(cat "$pidfile")
		if kill -0 "$pid" 2>/dev/null; then
			stop_pid "$pid" 10 || true
		fi
		rm -f "$pidfile"
	done
	# The cluster's node files describe nodes that no longer exist.
	rm -f "$DIR"/nodes-*.conf "$ENV_FILE"
	echo "== redis: stopped"
}

status() {
	ping "$PORT" && cluster_ok
}

dispatch "$@"
