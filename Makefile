# okrsync — every target installs what it needs (venv, Python packages, Neo4j) by itself.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Which local server: NEO4J_VERSION (lts = 5.26, the default; calendar; or an exact version) on
# NEO4J_BOLT_PORT / NEO4J_HTTP_PORT; NEO4J_SCHEME=neo4j hands out a neo4j:// (routing) URI.
# Passed by hand: $(shell) does not see make's command line.
NEO4J  := NEO4J_VERSION='$(NEO4J_VERSION)' NEO4J_BOLT_PORT='$(NEO4J_BOLT_PORT)' NEO4J_HTTP_PORT='$(NEO4J_HTTP_PORT)' NEO4J_SCHEME='$(NEO4J_SCHEME)' deploy/neo4j/local-neo4j.sh
# The port `make simulate` serves the simulated OKR API on.
SIM_PORT ?= 8089
# The local server's credentials, unless the caller points at its own server.
NEO4J_ENV = $(if $(NEO4J_URI),,$(shell $(NEO4J) env | sed 's/^export //'))

.PHONY: help venv neo4j neo4j-stop neo4j-env lint format test unit integration run sync simulate bench clean browser-deps browser-test screenshot chaos fuzz

help:
	@echo "make run         start Neo4j, the OKR simulator (or the real API) and the okrsync daemon"
	@echo "make test        lint + unit + integration tests against a real Neo4j"
	@echo "make lint        ruff check, ruff format --check, mypy --strict"
	@echo "make neo4j       provision and start the local Neo4j (idempotent); neo4j-stop stops it"
	@echo "make neo4j-env   print the exports for the local Neo4j: eval \"\$$(make -s neo4j-env)\""
	@echo "                 NEO4J_VERSION=lts|calendar|<x.y.z> and NEO4J_BOLT_PORT/NEO4J_HTTP_PORT pick the server"

venv: $(STAMP)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

neo4j:
	@$(NEO4J) start

neo4j-stop:
	@$(NEO4J) stop

neo4j-env:
	@$(NEO4J) env

lint: venv
	$(BIN)/ruff check okrsync tests bench deploy/grafana
	$(BIN)/ruff format --check okrsync tests bench deploy/grafana
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format okrsync tests bench deploy/grafana
	$(BIN)/ruff check --fix okrsync tests bench deploy/grafana

unit: venv
	$(BIN)/pytest tests/unit -q

# INTEGRATION picks the tests (files or node ids); all of tests/integration by default.
INTEGRATION ?= tests/integration
integration: venv neo4j
	env $(NEO4J_ENV) $(BIN)/pytest $(INTEGRATION) -q

test: lint venv neo4j
	env $(NEO4J_ENV) $(BIN)/pytest -q

run: venv neo4j
	env $(NEO4J_ENV) $(BIN)/okrsync demo

sync: venv neo4j
	env $(NEO4J_ENV) $(BIN)/okrsync sync

simulate: venv
	$(BIN)/okrsync simulate --port $(SIM_PORT)

# Neo4j Browser in headless Chromium (Debian's chromium + chromium-driver, installed if missing).
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing chromium and chromium-driver (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }

browser-test: venv neo4j browser-deps
	env $(NEO4J_ENV) $(BIN)/pytest -q tests/browser

# The pictures in docs/: the Browser's tree and `okrsync report`'s page.
screenshot: venv neo4j browser-deps
	env $(NEO4J_ENV) $(BIN)/python -m tests.browser.screenshot --out docs/neo4j-browser.png
	env $(NEO4J_ENV) $(BIN)/python -m tests.browser.report_picture --out docs/report.png

# The chaos/soak run: every fault, then an exact comparison; CHAOS_ARGS="--duration 600 --seed 9"
chaos: venv neo4j
	env $(NEO4J_ENV) $(BIN)/python -m tests.chaos.run $(CHAOS_ARGS)

# The model-based test of the mirror under messy data, long: 60 examples of 40 steps, random.
fuzz: venv neo4j
	env $(NEO4J_ENV) OKRSYNC_FUZZ_STEPS=1 $(BIN)/pytest -q -s tests/integration/test_messy_mirror.py -k model_based

# The benchmark (about 80 minutes; bench/results.md, bench/soak.png); BENCH_ARGS="--runs 1" etc.
bench: venv neo4j
	env $(NEO4J_ENV) $(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
