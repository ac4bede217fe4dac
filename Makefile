# triage: make demo (run on the bundled samples), make test (the test suite).
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES = libcurl4-openssl-dev zlib1g-dev
BENCH_SIZE ?= 1024

.PHONY: all deps rules build release demo test bench fuzz install clean

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
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench: release
	@command -v jq >/dev/null || { echo "bench compares against jq: apt-get install -y jq"; exit 1; }
	.build/release/triage-bench --size-mb $(BENCH_SIZE) --directory .bench --triage .build/release/triage

# libFuzzer targets (a separate package in Fuzz/, never built by build or test): each runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
fuzz: deps rules
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) Fuzz/run.sh $(FUZZ_TARGETS)

install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 .build/release/triage "$(DESTDIR)$(PREFIX)/bin/triage"

clean:
	rm -rf .build .bench
