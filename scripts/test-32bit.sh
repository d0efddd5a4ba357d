#!/usr/bin/env bash
# make test-32bit: the library on 32-bit platforms, where an int is 32 bits.
#
# 1. The library's modules (the root and every driver) build and vet, tests
#    included, for GOARCH=386. The demo app, narvikotel and the tools are
#    left out: they add nothing 32-bit specific and would compile every SDK
#    again for another architecture (minutes of CI).
# 2. The tests that need no server, the record codecs above all (a corrupt
#    length must give an error, never a panic), run as 32-bit binaries:
#    GOARCH=386 when this kernel can run them, else GOARCH=arm under
#    qemu-arm (Debian's qemu-user). Many CI kernels have no 32-bit x86
#    support ("exec format error"), and qemu-i386 7.2 crashes while Go's
#    runtime starts, so 32-bit ARM is the 32-bit platform that runs here.
#    Under CI=true a machine that can run neither fails; elsewhere the tests
#    are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOWORK=off CGO_ENABLED=0

modules=$(find . -name go.mod -not -path './.cache/*' -not -path './.services/*' -exec dirname {} \; | sort)
for m in $modules; do
	case "$m" in . | ./drivers/*) ;; *) continue ;; esac
	echo "== GOARCH=386 build and vet $m"
	(cd "$m" && GOARCH=386 go build ./... && GOARCH=386 go vet ./...)
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'package main\nfunc main() {}\n' >"$tmp/main.go"
(cd "$tmp" && go mod init probe >/dev/null 2>&1 && GOARCH=386 go build -o probe386 . && GOARCH=arm go build -o probearm .)
if "$tmp/probe386" 2>/dev/null; then
	arch=386 exec_flag=()
elif command -v qemu-arm >/dev/null 2>&1 && qemu-arm "$tmp/probearm"; then
	arch=arm exec_flag=(-exec qemu-arm)
else
	msg="this machine runs neither 386 binaries nor qemu-arm: install qemu-user (scripts/install-deps.sh)"
	if [ -n "${CI:-}" ] && [ "${CI}" != "false" ] && [ "${CI}" != "0" ]; then
		echo "test-32bit: required under CI: $msg" >&2
		exit 1
	fi
	echo "test-32bit: skipped: $msg"
	exit 0
fi

# package (relative to its module) | module | -run pattern ("" = all, -short)
tests=(
	".|.|"
	"./storekit|.|"
	"./drivers/memstore|.|"
	"./drivers/boltstore|.|TestCorruptRecords|TestDanglingIndexEntries|TestMissingBucketIsCorrupt|TestLayoutVersion|TestExpiryTimeOrder|TestUserPrefixesNeverNest|TestMillisecondPrecision|TestIDsBboltCannotHold|Fuzz"
	".|drivers/redisstore|TestDecodeRecord|FuzzDecodeRecord|TestKeyGrammar|TestInvalidSessionID|TestNewErrors"
	"./internal/sqlstore|.|"
)
for t in "${tests[@]}"; do
	IFS='|' read -r pkg mod run <<<"$t"
	# A name that matches no test would pass silently (go test only warns):
	# every alternative must start the name of a test function here.
	IFS='|' read -ra names <<<"$run"
	for name in "${names[@]}"; do
		if ! grep -q "^func $name" "$mod/$pkg"/*_test.go; then
			echo "test-32bit: no test in $mod/$pkg starts with $name: fix the list in $0" >&2
			exit 1
		fi
	done
	echo "== GOARCH=$arch go test $mod/$pkg ${run:+-run '$run'}"
	(cd "$mod" && GOARCH=$arch go test -short -count=1 "${exec_flag[@]}" ${run:+-run "$run"} "$pkg")
done
echo "test-32bit: ok on GOARCH=$arch"
