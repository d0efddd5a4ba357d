#!/usr/bin/env bash
# Installs the system packages the tests need (Debian): redis-server for the
# Redis driver and its cluster, redis-sentinel for its failover tests,
# chromium for the headless browser test, postgresql-15 and mariadb-server
# for the SQL drivers. Java 17 (DynamoDB Local), Node/npm (which ships
# DynamoDB Local's jar) and Go are expected on the machine. Idempotent.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
if [ ${#need[@]} -gt 0 ]; then
	echo "== apt-get install ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# mariadb-server tries to start its own service, which may fail here;
	# nothing needs it (scripts/mariadb.sh runs its own server).
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || command -v mariadbd >/dev/null
fi
for tool in go java javac npm redis-server redis-sentinel chromium mariadbd /usr/lib/postgresql/15/bin/postgres; do
	command -v "$tool" >/dev/null 2>&1 || { echo "missing: $tool" >&2; exit 1; }
done
echo "== tools: $(go version | cut -d' ' -f3), java $(java -version 2>&1 | head -1 | cut -d'"' -f2), npm $(npm --version), $(redis-server --version | cut -d' ' -f3), $(chromium --version 2>/dev/null | head -1)"
