# Two commands for a newcomer: `make run` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev
STAMP_BENCH := $(VENV)/.installed-bench

.PHONY: run test test-sqlite test-postgres lint format migrate openapi admin worker copy-db bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

$(STAMP_BENCH): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@ $(STAMP_DEV) $(STAMP_RUN)

## Serve the API on http://127.0.0.1:18080 (embedded defaults: SQLite, files in the data folder).
run: $(STAMP_RUN)
	VEZA_AUTH__COOKIE_SECURE=$${VEZA_AUTH__COOKIE_SECURE:-false} $(BIN)/veza serve

## Run the whole suite on SQLite, and on PostgreSQL too when VEZA_TEST_DATABASE_URL is set.
## The two runs go side by side (each keeps about one core busy); PostgreSQL's log follows.
test: $(STAMP_DEV)
	@if [ -z "$$VEZA_TEST_DATABASE_URL" ]; then exec $(BIN)/pytest; fi; \
	scratch=$$(mktemp -d); \
	$(BIN)/pytest -p no:cacheprovider --basetemp=$$scratch/tmp > $$scratch/postgres.log 2>&1 & \
	postgres=$$!; \
	env -u VEZA_TEST_DATABASE_URL $(BIN)/pytest; sqlite=$$?; \
	wait $$postgres; status=$$?; \
	echo "== the same suite on PostgreSQL =="; cat $$scratch/postgres.log; rm -rf $$scratch; \
	[ $$sqlite -eq 0 ] && [ $$status -eq 0 ]

test-sqlite: $(STAMP_DEV)
	env -u VEZA_TEST_DATABASE_URL $(BIN)/pytest

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP_DEV)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

migrate: $(STAMP_RUN)
	$(BIN)/veza migrate

openapi: $(STAMP_RUN)
	$(BIN)/veza openapi

## The other `veza` commands (`.venv/bin/veza --help` lists them all with their options).
admin: $(STAMP_RUN)
	$(BIN)/veza create-admin

worker: $(STAMP_RUN)
	$(BIN)/veza worker

copy-db:
	@test -n "$(TO)" || { echo "usage: make copy-db TO=postgresql+asyncpg://user@host/db"; exit 2; }
	@$(MAKE) --no-print-directory $(STAMP_RUN)
	$(BIN)/veza copy-db --to '$(TO)'

## The benchmarks of docs/PERFORMANCE.md (need nginx, e.g. apt-get install nginx-light, and Redis).
bench: $(STAMP_BENCH)
	$(BIN)/python bench/bench_stream.py
	$(BIN)/python bench/bench_upload.py
	$(BIN)/python bench/bench_processing.py
	$(BIN)/python bench/bench_webhooks.py
	$(BIN)/python bench/bench_playlists.py
	$(BIN)/python bench/bench_marketplace.py
	$(BIN)/python bench/bench_live.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
