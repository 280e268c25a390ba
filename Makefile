# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

run: $(VENV)/.installed  ## serve in development mode on http://localhost:8000
	$(BIN)/phoenix-profiles serve --dev --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test  ## the whole test suite
	$(BIN)/python -m pytest

fuzz: $(VENV)/.installed-test  ## schemathesis against REST and GraphQL, in-process
	$(BIN)/python -m pytest -m fuzz tests/fuzz

bench: $(VENV)/.installed-bench  ## load-test on 127.0.0.1 (about 6 min); rewrites docs/performance.md
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	  else echo "bench needs wrk: sudo apt-get install -y wrk" >&2; exit 1; fi; }
	$(BIN)/python -m bench.run

schema: $(VENV)/.installed  ## rewrite schema.graphql from the code
	$(BIN)/phoenix-profiles export-schema --output schema.graphql

clean:
	rm -rf $(VENV) var .pytest_cache
