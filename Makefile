# The only glue: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PORT ?= $(or $(STARTER__SERVER__PORT),3000)

.PHONY: install install-dev run dev test lint typecheck check-openapi bench clean

# Python keeps its bytecode caches (the git-ignored __pycache__ folders) even where the
# environment says not to (PYTHONDONTWRITEBYTECODE, common in containers and CI images): without
# them every process compiles each module it imports again, about 2-4 s for each server, worker
# or CLI command started, and the test suite starts many.
unexport PYTHONDONTWRITEBYTECODE

# `make run` needs the runtime dependencies only; test and lint tools come with `install-dev`.
# The Python install and the web build are independent: run them side by side. Bytecode is
# compiled on first import, for the modules actually used, instead of for every installed file.
install:
	@$(MAKE) --no-print-directory -j2 $(STAMP) web

install-dev: install
	@$(MAKE) --no-print-directory $(DEV_STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e .
	@touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -e '.[dev]'
	@touch $(DEV_STAMP)

run: install
	STARTER__SERVER__PORT=$(PORT) $(BIN)/starter dev

dev: run

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Four test processes on two cores: the suite waits more than it computes (servers and workers
# starting, leases expiring, outages injected), and with two processes the cores are half idle.
# The browser journeys run in two, each with its own server, worker, database and Chromium.
test: install-dev lint web-check browser pgbouncer
	$(BIN)/pytest -n 4 -q -m "not e2e"
	$(BIN)/pytest -n 2 -q -m e2e tests/e2e

# Each script prints its figures and exits non-zero when it misses a target. All of them run;
# then `make bench` fails, naming the scripts that missed, if any did.
BENCH_SCRIPTS := http http_metrics queue monitoring notes processes web

bench: install-dev load-generator pgbouncer
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@missed=""; for script in $(BENCH_SCRIPTS); do \
	  echo "== bench/$$script.py"; \
	  args=""; [ "$$script" = processes ] && args="--pgbouncer"; \
	  $(BIN)/python bench/$$script.py $$args || missed="$$missed $$script"; \
	done; \
	if [ -n "$$missed" ]; then echo "bench: targets missed by:$$missed"; exit 1; fi; \
	echo "bench: every target met"

clean:
	rm -rf $(VENV) .starter .pytest_cache .mypy_cache .ruff_cache

# --- Web app (web/ → src/starter/web/dist). Everything here is skipped, with a note, without Node.
NPM := $(shell command -v npm 2>/dev/null)
WEB_DIST := src/starter/web/dist
WEB_DEPS := web/node_modules/.package-lock.json
# dist/index.html is the build's stamp: rebuilt only when a web source is newer than it.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json web/vite.config.ts web/tsconfig.json
NO_NODE := echo "note: Node.js/npm not found: skipping the web app (the API still works). Install Node.js 20.19+ or 22.12+ and rerun."

.PHONY: web web-dev web-schema web-check browser pgbouncer load-generator

web:
ifdef NPM
	@$(MAKE) --no-print-directory $(WEB_DIST)/index.html
else
	@$(NO_NODE)
endif

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --prefer-offline
	@touch $@

# Type checking is web-check's job (`make test`); the build that `make run` needs is vite alone.
$(WEB_DIST)/index.html: $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npx vite build
	@touch $@

web-dev: $(WEB_DEPS)
	cd web && STARTER_API_URL=http://localhost:$(PORT) npm run dev

# The typed client (schema.d.ts) and the enum value lists (enums.ts) are generated from the
# committed OpenAPI document.
web-schema: $(WEB_DEPS)
	web/scripts/gen-api.sh

# Biome lints and checks the formatting of the whole web app (web/biome.json). Two a11y rules are
# off: a `role="search"` form is a landmark every browser exposes, and a scrollable <pre> must be
# focusable for keyboard users (axe's scrollable-region-focusable, checked in the browser tests).
web-check:
ifdef NPM
	@$(MAKE) --no-print-directory $(WEB_DEPS)
	cd web && npx biome check .
	@tmp=$$(mktemp -d) && web/scripts/gen-api.sh $$tmp \
	  && if ! diff -q $$tmp/schema.d.ts web/src/api/schema.d.ts >/dev/null || ! diff -q $$tmp/enums.ts web/src/api/enums.ts >/dev/null; then \
	    rm -rf $$tmp; echo "web/src/api/schema.d.ts or enums.ts is stale: run 'make web-schema'"; exit 1; fi; rm -rf $$tmp
	cd web && npx tsc --noEmit
	cd web && npx vitest run
else
	@$(NO_NODE)
endif

# Browser tests drive Debian's chromium; install it when missing and possible (never a download of our own).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "note: /usr/bin/chromium is missing and cannot be installed here: browser tests will be skipped"; fi; \
	fi

# tests/scale runs a real PgBouncer in front of the test database; install Debian's when missing
# and possible (those tests are skipped, saying why, without it).
pgbouncer:
	@if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer; \
	  else echo "note: pgbouncer is missing and cannot be installed here: the PgBouncer tests will be skipped"; fi; \
	fi

# bench/http.py prefers wrk (C, a sliver of a core) over its own Python client, which would take
# a core away from the server on a small machine; install Debian's when missing and possible.
load-generator:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || true; \
	  else echo "note: wrk is missing and cannot be installed here: bench/http.py uses its Python client"; fi; \
	fi
