# gocyrus — build, run the demo, test.
SHELL   := /bin/bash
GO      ?= go
BIN     := $(CURDIR)/bin
DEMO    := $(CURDIR)/var/demo
# Debian packages of the real peers the black-box tests drive (installed by `make deps` as root).
DEPS_PKGS ?= python3 time curl sasl2-bin fetchmail sieve-connect isync postfix

# Core and protocol packages whose tests also run under the race detector.
RACE_PKGS := ./pkg/cyrusdb/... ./pkg/mboxlist/... ./pkg/quota/... ./pkg/mailbox/... ./pkg/acl/... ./pkg/mboxname/... ./pkg/config/... ./pkg/store/... ./pkg/auth/... ./pkg/service/... ./pkg/logins/... ./pkg/tlsconf/... ./pkg/imapserver/... ./pkg/lmtp/... ./pkg/pop3server/... ./pkg/managesieve/...

.PHONY: all build run test deps vet fmt-check tidy-check unit race generate clean bench bench-import compat-live install deb test-install

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ ./cmd/...

# ---- make install [DESTDIR=/stage] [PREFIX=/usr] [SYSCONFDIR=/etc] (issue 19) ----
# Debian's Cyrus layout: every program in $(PREFIX)/lib/cyrus/bin; the client and admin
# tools an admin types linked from $(PREFIX)/bin as cyrus-admin and cyrus-clients do;
# /usr/sbin/cyrus (the Debian multiplexer) with cyrdeliver and cyrmaster; section 8 man
# pages named cyrus-NAME.8 as Debian names them. An existing imapd.conf or cyrus.conf is
# never overwritten: the new one goes beside it as NAME.dist. No user is created and no
# owner is set (the package's job: see README "Install on a server").
PREFIX      ?= /usr
SYSCONFDIR  ?= /etc
LOCALSTATEDIR ?= /var
LIBEXECDIR  := $(PREFIX)/lib/cyrus/bin
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SUBST       := sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
MANDIR      := $(PREFIX)/share/man
PROGRAMS    := $(sort $(notdir $(wildcard cmd/*)))
# Linked into $(PREFIX)/bin: cyrus-admin's cyradm, sieveshell, installsieve and
# cyrus-clients' test clients.
USER_PROGRAMS := cyradm sieveshell installsieve imtest pop3test lmtptest sivtest
# Linked into $(PREFIX)/sbin as Debian's cyrus-common does (beside the cyrus wrapper):
# cyrNAME -> NAME.
SBIN_LINKS  := deliver master

install: build
	install -d -m 0755 $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/init.d \
		$(DESTDIR)$(SYSTEMDUNITDIR)
	install -m 0755 $(addprefix $(BIN)/,$(PROGRAMS)) $(DESTDIR)$(LIBEXECDIR)/
	for p in $(USER_PROGRAMS); do ln -sfn ../lib/cyrus/bin/$$p $(DESTDIR)$(PREFIX)/bin/$$p; done
	$(SUBST) packaging/sbin/cyrus > $(DESTDIR)$(PREFIX)/sbin/cyrus
	chmod 0755 $(DESTDIR)$(PREFIX)/sbin/cyrus
	for p in $(SBIN_LINKS); do ln -sfn ../lib/cyrus/bin/$$p $(DESTDIR)$(PREFIX)/sbin/cyr$$p; done
	install -m 0644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/man5/*.5 $(DESTDIR)$(MANDIR)/man5/
	for f in man/man8/*.8; do install -m 0644 $$f $(DESTDIR)$(MANDIR)/man8/cyrus-$$(basename $$f); done
	$(SUBST) packaging/systemd/gocyrus.service > $(DESTDIR)$(SYSTEMDUNITDIR)/gocyrus.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/gocyrus.service
	@for f in etc/imapd.conf:imapd.conf:0644 etc/cyrus.conf:cyrus.conf:0644 init.d/gocyrus:init.d/gocyrus:0755; do \
		IFS=: read -r src name mode <<< "$$f"; dst=$(DESTDIR)$(SYSCONFDIR)/$$name; \
		if [ -e $$dst ]; then \
			echo "make install: $$dst exists, left unchanged; the new default is $$dst.dist"; dst=$$dst.dist; \
		fi; \
		$(SUBST) packaging/$$src > $$dst && chmod $$mode $$dst || exit 1; \
	done
	install -d -m 0750 $(DESTDIR)$(LOCALSTATEDIR)/lib/cyrus $(DESTDIR)$(LOCALSTATEDIR)/spool/cyrus/mail $(DESTDIR)$(LOCALSTATEDIR)/spool/sieve

# ---- make deb [DEB_VERSION=v] (issue 19): var/gocyrus_<version>_<arch>.deb, built
# with dpkg-deb from a staged `make install` (scripts/mkdeb; README "Install on a
# server" says why dpkg-deb). The version is the VERSION file's, else
# 0~git<commit time>.<commit> (scripts/deb-version); DEB_VERSION overrides it.
DEB_VERSION ?= $(shell scripts/deb-version)
DEB_ARCH    ?= $(shell dpkg --print-architecture)
DEB_STAGE   := $(CURDIR)/var/deb-stage

deb:
	rm -rf $(DEB_STAGE)
	$(MAKE) install DESTDIR=$(DEB_STAGE) PREFIX=/usr SYSCONFDIR=/etc LOCALSTATEDIR=/var
	scripts/mkdeb $(DEB_STAGE) $(DEB_VERSION) $(DEB_ARCH) $(CURDIR)/var

# make test-install (as root): builds two packages (the second a higher version),
# installs, uses, upgrades and purges them in a throwaway overlay of / in private
# mount, PID and network namespaces, and checks the host is unchanged
# (scripts/test-install; the log is var/test-install.log).
test-install:
	scripts/test-install

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
