# The only glue: `make run` starts everything, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= $(or $(STARTER__SERVER__PORT),3000)

.PHONY: install run dev test lint typecheck check-openapi bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: install
	STARTER__SERVER__PORT=$(PORT) $(BIN)/starter dev

dev: run

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install lint
	$(BIN)/pytest -n 2 -q

bench: install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/http.py
	$(BIN)/python bench/monitoring.py
	$(BIN)/python bench/http_metrics.py
	$(BIN)/python bench/queue.py

clean:
	rm -rf $(VENV) .starter .pytest_cache .mypy_cache .ruff_cache

