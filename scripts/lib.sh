# shellcheck shell=bash
# What the server scripts (redis.sh, dynamodb.sh, ferretdb.sh, postgres.sh,
# mariadb.sh) share. Sourced, never run.

# stop_pid PID SECONDS: SIGTERM, wait (bounded) for the process to exit so
# that a following `up` finds its port free, then SIGKILL if it has not.
# Returns 1 when it had to kill.
stop_pid() {
	local pid=$1 tenths=$(($2 * 10)) i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < tenths; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	return 1
}

# dispatch "$@": the command line of a server script, which defines up,
# down and status.
dispatch() {
	case "${1:-}" in
	up) up ;;
	down) down ;;
	status) status ;;
	*)
		echo "usage: $0 up|down|status" >&2
		exit 2
		;;
	esac
}
