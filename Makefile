# narvik for Go. `make help` lists the targets.
#
# `make test` checks its prerequisites first (scripts/install-deps.sh --check
# names each missing one with the command that installs it; on a bare Debian
# machine run scripts/install-deps.sh), then starts every server the tests
# need on 127.0.0.1 (Redis and a 3-master Redis Cluster, DynamoDB Local, the
# FerretDB MongoDB-wire test server, PostgreSQL 15, MariaDB), runs every test
# with -race, and stops what it started. With a working Docker engine it also runs the MongoDB
# tests against a real mongo:7 from docker-compose.yml. See scripts/test.sh.

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
SERVICES    := redis dynamodb ferretdb postgres mariadb
# Every module of the repository: the library at the root, each driver with a
# heavy client, the demo app, the tools. Found, not listed, so a new module
# is linted the day it lands.
MODULES     := $(sort $(patsubst ./%,%,$(patsubst %/go.mod,%,$(shell find . -name go.mod -not -path './.cache/*' -not -path './.services/*'))))

.PHONY: help run test test-32bit guard lint check-deps services-up services-down bench fuzz

help:
	@echo "make run            start the demo web app on the embedded bbolt store (http://127.0.0.1:8080)"
	@echo "make test           start the test servers, run every test with -race, stop the servers"
	@echo "make lint           gofmt, go vet, staticcheck and go mod tidy -diff on every module"
	@echo "make check-deps     build throw-away consumer modules: a user pays only for the driver it imports"
	@echo "make test-32bit     build the library for 386 and run its codec tests as 32-bit binaries"
	@echo "make guard          count the instructions of one validation (valgrind): a noise-free regression check"
	@echo "make services-up    start the test servers and write .services/*.env"
	@echo "make services-down  stop them"
	@echo "make bench          run the benchmarks against real servers; writes docs/benchmarks.md"
	@echo "make fuzz           run each fuzz target for a short while"

run:
	go run ./examples/webapp

test:
	scripts/test.sh

# The demo app (examples/webapp) is vetted and checked twice: as built by
# default, and with -tags all, which brings every driver in. No other
# module has build tags.
lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	@for m in $(MODULES); do echo "== lint $$m"; \
		(cd $$m && export GOWORK=off && go mod tidy -diff && go vet ./... && go run $(STATICCHECK) ./... \
		 && if [ $$m = examples/webapp ]; then go vet -tags all ./... && go run $(STATICCHECK) -tags all ./...; fi) || exit 1; done

check-deps:
	scripts/check-deps.sh

test-32bit:
	scripts/test-32bit.sh

guard:
	scripts/callgrind.sh

services-up:
	@for s in $(SERVICES); do scripts/$$s.sh up || exit 1; done

services-down:
	@for s in $(SERVICES); do scripts/$$s.sh down; done

bench:
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh
