#!/usr/bin/env bash
# make check-deps: a user pays only for the driver it imports.
#
# For each case below, builds a throw-away consumer module in a temporary
# folder outside the repository (replace directives point at this checkout,
# GOWORK=off so the workspace cannot help), runs go mod tidy and go build,
# and fails when `go list -m all` or go.sum names a module the case forbids.
# Each case prints how many modules the consumer's graph holds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export GOWORK=off GOFLAGS=-mod=mod

aws='github.com/aws/'
mongo='go.mongodb.org/'
redis='github.com/redis/'
awsconfig='github.com/aws/aws-sdk-go-v2/(config|credentials|feature/ec2/imds|service/(sso|ssooidc|sts|signin))'
# name | packages it imports (space separated, relative to the module path) | forbidden modules (regexp)
cases=(
	"bolt|. drivers/boltstore|$aws|$mongo|$redis"
	"memory|. drivers/memstore narvikhttp|$aws|$mongo|$redis"
	"redis|drivers/redisstore|$aws|$mongo"
	"mongo|drivers/mongostore|$aws|$redis"
	"dynamo|drivers/dynamostore|$mongo|$redis|$awsconfig"
)
# Extra cases from drivers that landed later: each line of
# scripts/check-deps.cases has the same shape.
if [ -f scripts/check-deps.cases ]; then
	while IFS= read -r line; do
		case "$line" in '#'* | '') continue ;; esac
		cases+=("$line")
	done <scripts/check-deps.cases
fi

# modules maps an import path under the repository to its module folder:
# the deepest folder with a go.mod that contains it.
module_dir() {
	local d=$1
	while [ "$d" != "." ] && [ ! -f "$d/go.mod" ]; do d=$(dirname "$d"); done
	echo "$d"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
for c in "${cases[@]}"; do
	IFS='|' read -r name pkgs forbidden <<<"$c"
	dir="$tmp/$name"
	mkdir -p "$dir"
	{
		echo "module example.com/consumer/$name"
		echo
		echo "go 1.25.0"
		echo
	} >"$dir/go.mod"
	imports=""
	declare -A mods=()
	for p in $pkgs; do
		path="github.com/narvik-go/narvik"
		[ "$p" = "." ] || path="$path/$p"
		imports+="	_ \"$path\""$'\n'
		m=$(module_dir "${p}")
		mods[$m]=1
	done
	# Every module of the repository that the imports reach gets a replace.
	mods[.]=1
	for m in "${!mods[@]}"; do
		mp="github.com/narvik-go/narvik"
		[ "$m" = "." ] || mp="$mp/$m"
		echo "require $mp v0.0.0-00010101000000-000000000000" >>"$dir/go.mod"
		echo "replace $mp => $root/$m" >>"$dir/go.mod"
	done
	unset mods
	printf 'package main\n\nimport (\n%s)\n\nfunc main() {}\n' "$imports" >"$dir/main.go"
	(cd "$dir" && go mod tidy >/dev/null 2>"$dir/tidy.log" && go build -o /dev/null . ) || { cat "$dir/tidy.log"; echo "check-deps: $name: the consumer does not build" >&2; exit 1; }
	all=$(cd "$dir" && go list -m all)
	bad=$( { echo "$all"; cut -d' ' -f1 "$dir/go.sum" 2>/dev/null; } | grep -E "^($forbidden)" | sort -u || true)
	count=$(echo "$all" | wc -l)
	sums=$(cut -d' ' -f1 "$dir/go.sum" 2>/dev/null | sort -u | wc -l)
	if [ -n "$bad" ]; then
		echo "check-deps: FAIL $name (imports: $pkgs): its module graph or go.sum holds modules it does not need:" >&2
		echo "$bad" | sed 's/^/  /' >&2
		failed=1
	else
		echo "check-deps: ok   $name (imports: $pkgs): $count modules in the graph, $sums in go.sum, none matching ${forbidden}"
	fi
done
exit $failed
