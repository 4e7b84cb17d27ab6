# gocyrus — build, run the demo, test.
SHELL   := /bin/bash
GO      ?= go
BIN     := $(CURDIR)/bin
DEMO    := $(CURDIR)/var/demo
# Debian packages of the real peers the black-box tests drive (installed by `make deps` as root).
DEPS_PKGS ?= python3 time curl sasl2-bin fetchmail sieve-connect isync postfix

# Core and protocol packages whose tests also run under the race detector.
RACE_PKGS := ./pkg/cyrusdb/... ./pkg/mboxlist/... ./pkg/quota/... ./pkg/mailbox/... ./pkg/acl/... ./pkg/mboxname/... ./pkg/config/... ./pkg/store/... ./pkg/auth/... ./pkg/service/... ./pkg/logins/... ./pkg/tlsconf/... ./pkg/imapserver/... ./pkg/lmtp/... ./pkg/pop3server/... ./pkg/managesieve/...

.PHONY: all build run test deps vet fmt-check tidy-check unit race generate clean bench bench-import compat-live

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

# make run: start the whole server on the embedded demo configuration under ./var/demo.
run: build
	$(GO) run ./internal/demo -dir $(DEMO) -bin $(BIN)

# make test: every test (installing the peers' Debian packages first when run as root).
test: deps build vet fmt-check tidy-check unit race

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		missing=""; for p in $(DEPS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
		if [ -n "$$missing" ]; then \
			echo "make deps: installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
		fi; \
	else echo "make deps: not root, tests needing missing packages will be skipped"; fi

# tidy-check: go.mod and go.sum name exactly the modules the code uses.
tidy-check:
	$(GO) mod tidy -diff

vet:
	$(GO) vet ./...
	$(GO) vet -tags $(OPTIN_TAGS) ./test/

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# unit: all tests, verbose into var/test.log; prints package lines, failures and skips,
# then one "N passed, N failed, N skipped" line.
unit:
	@mkdir -p var
	@GOCYRUS_BIN=$(BIN) $(GO) test -count=1 -timeout 20m -v ./... 2>&1 | tee var/test.log \
		| grep --line-buffered -E '^(ok|FAIL|panic:|\?)|^\s*--- (FAIL|SKIP)'; \
	status=$${PIPESTATUS[0]}; scripts/test-summary var/test.log; exit $$status

race:
	$(GO) test -count=1 -race -short -timeout 20m $(RACE_PKGS)

# Opt-in runs, outside `make test` (which holds no test that passes without
# testing): each lives behind its own build tag and fails when not given
# what it needs.
OPTIN_TAGS := measure,realcyrus

# make bench GOCYRUS_MAILBENCH=/path/to/mailbench: the mailbench measurements
# (IMAP, POP3, LMTP) against the built daemons, figures in var/bench.log.
bench: build
	@test -n "$(GOCYRUS_MAILBENCH)" || { echo "make bench: set GOCYRUS_MAILBENCH to a built mailbench (the benchmark harness, not part of this repository)"; exit 2; }
	@mkdir -p var
	GOCYRUS_BIN=$(BIN) GOCYRUS_MAILBENCH=$(GOCYRUS_MAILBENCH) $(GO) test -count=1 -tags measure -timeout 2h -v \
		-run 'Mailbench$$' ./test/ 2>&1 | tee var/bench.log; exit $${PIPESTATUS[0]}

# make bench-import [BENCH_N=100000] [BENCH_SEED=n]: cyr_import -f maildir and
# -f mbox of a generated mailbox of N/10, N/2 and N messages against reconstruct
# of the same spool: times, rates and peak RSS in a table (scripts/bench-import),
# also in var/bench-import.log. A measurement, not a test: it asserts nothing.
BENCH_N ?= 100000
bench-import: build
	@mkdir -p var
	BIN=$(BIN) $(if $(BENCH_SEED),BENCH_SEED=$(BENCH_SEED)) nice scripts/bench-import $(BENCH_N) 2>&1 | tee var/bench-import.log; exit $${PIPESTATUS[0]}

# make compat-live GOCYRUS_REAL_CYRUS=host:port[,user,password]: run the
# scripted cyradm session against a live Cyrus and against ours, and diff.
compat-live: build
	@test -n "$(GOCYRUS_REAL_CYRUS)" || { echo "make compat-live: set GOCYRUS_REAL_CYRUS=host:port[,user,password]"; exit 2; }
	GOCYRUS_BIN=$(BIN) GOCYRUS_REAL_CYRUS=$(GOCYRUS_REAL_CYRUS) $(GO) test -count=1 -tags realcyrus -timeout 10m -v \
		-run 'RealCyrus$$' ./test/

generate:
	$(GO) generate ./...

clean:
	rm -rf $(BIN) var

# ---- Hostile input (issue 13): the hostile-client suite runs in `make test`
# (it is a package under test/); soak and fuzz are opt-in and bounded.
FUZZTIME        ?= 10m
SOAK_DURATION   ?= 10m
SOAK_CLIENTS    ?= 20
SOAK_KILL_EVERY ?= 30s
SOAK_SEED       ?= 0

.PHONY: hostile soak fuzz

# make hostile: just the hostile-client suite, verbose.
hostile: build
	GOCYRUS_BIN=$(BIN) $(GO) test -count=1 -timeout 10m -v ./test/hostile/

# make soak [SOAK_DURATION=1m SOAK_CLIENTS=20 SOAK_KILL_EVERY=30s SOAK_SEED=n]:
# master and the real daemons under random IMAP/LMTP/POP3 load with a kill -9
# of a random daemon every SOAK_KILL_EVERY; prints its figures.
soak: build
	SOAK_DURATION=$(SOAK_DURATION) SOAK_CLIENTS=$(SOAK_CLIENTS) SOAK_KILL_EVERY=$(SOAK_KILL_EVERY) \
	SOAK_SEED=$(SOAK_SEED) GOCYRUS_BIN=$(BIN) \
		$(GO) test -tags soak -count=1 -timeout 3h -v -run '^TestSoak$$' ./test/soak/

# make fuzz [FUZZTIME=30s] [FUZZ_LEDGER=file] [FUZZ_ALL=1] [FUZZ_ONLY=regexp]: every Fuzz target,
# one after another, FUZZTIME each; stops at the first finding (its input is
# under testdata/fuzz/). Clean runs go to the ledger, and a target whose code
# has not changed since a clean run of at least FUZZTIME is skipped, so a
# campaign can be resumed (see scripts/fuzz-campaign).
FUZZ_LEDGER ?= test/fuzz-ledger.tsv
fuzz:
	GO=$(GO) FUZZ_ALL=$(FUZZ_ALL) FUZZ_ONLY=$(FUZZ_ONLY) scripts/fuzz-campaign $(FUZZTIME) $(FUZZ_LEDGER)
