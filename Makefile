# triage: make demo (run on the bundled samples), make test (the test suite).
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES = libcurl4-openssl-dev zlib1g-dev
BENCH_SIZE ?= 1024
# More triage-bench options, e.g. BENCH_ARGS='--pipe --runs 2 --ports 200' (triage-bench --help lists the knobs).
BENCH_ARGS ?=
# The binary install-docs describes (make install passes the release build it installs).
TRIAGE_BIN ?= .build/release/triage
MAN_DIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASH_DIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSH_DIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISH_DIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d

.PHONY: all deps rules build release demo test accuracy bench fuzz install install-docs clean

all: build

# System libraries: installed with apt-get when missing and running as root; otherwise the command is printed.
deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing system libraries; run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

# Rules/ is the source of truth; this embeds it in the binary (a test fails if they ever differ).
rules:
	@python3 tools/embed-rules.py

build: deps rules
	$(SWIFT) build

release: deps rules
	$(SWIFT) build -c release --static-swift-stdlib --product triage
	$(SWIFT) build -c release --static-swift-stdlib --product triage-bench

demo: build
	@echo '$$ triage SampleLogs/bundle/inputs/   # firewall log, cluster, firewall rules, routes, DNS, operations, kubectl text'
	@$(SWIFT) build --show-bin-path >/dev/null
	@"$$($(SWIFT) build --show-bin-path)/triage" SampleLogs/bundle/inputs --now 2026-11-22T10:30:00Z; \
	  status=$$?; [ $$status -le 1 ] || exit $$status

test: deps rules
	python3 tools/fakegcp/test_server.py
	$(SWIFT) build --build-tests
	$(SWIFT) test

# Field corpus (Tests/FieldCorpus): right/total per class and per input kind, and the cases with no finding.
accuracy: deps rules
	$(SWIFT) build --build-tests
	TRIAGE_ACCURACY_REPORT=1 $(SWIFT) test --skip-build --filter 'FieldCorpusTests/accuracyHoldsTheMeasuredLevel'

bench: release
	@command -v jq >/dev/null || { echo "bench compares against jq: apt-get install -y jq"; exit 1; }
	.build/release/triage-bench --size-mb $(BENCH_SIZE) --directory .bench --triage .build/release/triage $(BENCH_ARGS)

# libFuzzer targets (a separate package in Fuzz/, never built by build or test): each runs FUZZ_SECONDS
# (or FUZZ_RUNS executions).
FUZZ_SECONDS ?= 60
fuzz: deps rules
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) SWIFT=$(SWIFT) Fuzz/run.sh $(FUZZ_TARGETS)

install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 .build/release/triage "$(DESTDIR)$(PREFIX)/bin/triage"
	@$(MAKE) --no-print-directory install-docs TRIAGE_BIN=.build/release/triage

# The man page and the bash, zsh and fish completions, made from the built binary's own argument
# definitions (no build here: TRIAGE_BIN names the binary, so the tests use the debug one).
install-docs:
	@test -x "$(TRIAGE_BIN)" || { echo "no triage binary at $(TRIAGE_BIN): make release, or give TRIAGE_BIN=PATH"; exit 1; }
	install -d "$(MAN_DIR)" "$(BASH_DIR)" "$(ZSH_DIR)" "$(FISH_DIR)"
	python3 tools/generate-manual.py "$(TRIAGE_BIN)" > "$(MAN_DIR)/triage.1.tmp"
	mv "$(MAN_DIR)/triage.1.tmp" "$(MAN_DIR)/triage.1"
	"$(TRIAGE_BIN)" --generate-completion-script bash > "$(BASH_DIR)/triage.tmp"
	mv "$(BASH_DIR)/triage.tmp" "$(BASH_DIR)/triage"
	"$(TRIAGE_BIN)" --generate-completion-script zsh > "$(ZSH_DIR)/_triage.tmp"
	mv "$(ZSH_DIR)/_triage.tmp" "$(ZSH_DIR)/_triage"
	"$(TRIAGE_BIN)" --generate-completion-script fish > "$(FISH_DIR)/triage.fish.tmp"
	mv "$(FISH_DIR)/triage.fish.tmp" "$(FISH_DIR)/triage.fish"
	chmod 0644 "$(MAN_DIR)/triage.1" "$(BASH_DIR)/triage" "$(ZSH_DIR)/_triage" "$(FISH_DIR)/triage.fish"

clean:
	rm -rf .build .bench
