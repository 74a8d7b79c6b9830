# zonewatch: `make demo` and `make test` build the environment from uv.lock on a fresh
# machine (installing uv itself if it is missing), then run.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
PYTHON_VERSION := 3.11
VENV := .venv
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# Empty: the one default of the CLI and the DAG (ingest.config: $ZONEWATCH_WORKDIR, else
# data/; warehouse $ZONEWATCH_WAREHOUSE, else <workdir>/warehouse.duckdb), so a bare
# `zonewatch summary` or `zonewatch failures` after `make demo` reads the demo's run.
DEMO_WORKDIR ?=
DEMO_WAREHOUSE ?=
DEMO_PATHS = $(if $(DEMO_WORKDIR),--workdir "$(DEMO_WORKDIR)") \
  $(if $(DEMO_WAREHOUSE),--warehouse "$(DEMO_WAREHOUSE)")
DEMO_INPUT ?= $(CURDIR)/samples/corpus
SCALE_SIZES ?= 1000,10000,100000
TEST_WORKERS ?= 2

.PHONY: help install tools demo airflow docs test test-fast bench eval eval-real lint clean compose-check

help:
	@echo "make demo   run the Airflow DAG over samples/corpus and publish data/warehouse.duckdb"
	@echo "make airflow  Airflow on 127.0.0.1 (UI, scheduler, DAGs unpaused) until Ctrl-C"
	@echo "make docs   dbt docs (lineage, column descriptions) of the demo warehouse, served on 127.0.0.1:$(DOCS_PORT)"
	@echo "make test   run the test suite"
	@echo "make bench  extraction, gate and fetch benchmarks, then the 1k/10k/100k scale run"
	@echo "make bench-scale  only the scale run (SCALE_SIZES=1000,10000 for a quick one)"
	@echo "make eval   score extraction against ../shared/gold (when present)"
	@echo "make eval-real  score the real-page corpus, dev and test parts (when .devcorpus/ is here)"

$(CURDIR)/.tools/bin/uv:
	@echo "install: uv $(UV_VERSION) into .tools/ (python3 -m venv, pip)"
	@python3 -m venv .tools
	@.tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@echo "install: the locked environment into $(VENV)/ (uv sync --frozen)"
	@$(UV) sync --frozen --compile-bytecode --python $(PYTHON_VERSION) $(if $(VERBOSE),,--quiet)
	@touch $@

# The scripts and styles GX's Data Docs load from CDNs, pinned (package-lock.json), so the
# gate's Data Docs render offline (ingest/gate/datadocs_offline.py). npm from the registry.
DATADOCS = $(CURDIR)/expectations/datadocs
$(DATADOCS)/node_modules/.installed: $(DATADOCS)/package.json $(DATADOCS)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "install: npm is missing (Debian: apt-get install npm)"; exit 2; }
	@echo "install: Data Docs assets (npm ci in expectations/datadocs)"
	@npm ci --prefix "$(DATADOCS)" --ignore-scripts --no-audit --no-fund --legacy-peer-deps \
	  $(if $(VERBOSE),,--loglevel=error >/dev/null)
	@touch $@

install: $(VENV)/.synced $(DATADOCS)/node_modules/.installed

demo: install
	@start=$$(date +%s); \
	bash scripts/airflow_demo.sh --input "$(DEMO_INPUT)" $(DEMO_PATHS); rc=$$?; \
	$(VENV)/bin/zonewatch summary $(DEMO_PATHS) --logs "$(CURDIR)/.airflow/logs"; \
	$(VENV)/bin/zonewatch report $(if $(DEMO_WAREHOUSE),--warehouse "$(DEMO_WAREHOUSE)",$(if \
	  $(DEMO_WORKDIR),--warehouse "$(DEMO_WORKDIR)/warehouse.duckdb")); \
	echo "demo wall time: $$(( $$(date +%s) - start ))s"; exit $$rc

# Airflow's components on 127.0.0.1 ($ZONEWATCH_AIRFLOW_PORT, else 8080), the zonewatch
# DAGs unpaused, until Ctrl-C; prints the URL, the login and where the logs are.
airflow: install
	@bash scripts/airflow_local.sh

# `docs`: `dbt docs generate` against (a copy of) the published warehouse, the demo's by
# default (DEMO_WORKDIR / DEMO_WAREHOUSE as for `demo`), into <workdir>/docs/target, then
# served on http://127.0.0.1:$(DOCS_PORT)/ until Ctrl-C (`zonewatch docs --serve`).
DOCS_PORT ?= 8580

docs: install
	$(VENV)/bin/zonewatch docs $(DEMO_PATHS) --serve --port $(DOCS_PORT)

# `test`: the whole suite; the PostgreSQL and Redis tests start their own throwaway
# servers on free 127.0.0.1 ports (tests/services.py), from the programs `tools` installs.
# `test-fast`: no `slow` test (which includes every `services` one): no server, no
# network, no program from `tools`; under 3 minutes on 2 cores.
# Both on TEST_WORKERS processes (pytest-xdist; 2 = this machine's cores, 0 = in this
# process): each test to whichever worker is free, except that the tests of a file with a
# module-scoped fixture stay on one worker (--dist loadgroup; tests/conftest.py marks them).
test: install tools
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup

test-fast: install
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadgroup -m "not slow"

# `bench` adds the bench dependency group (trafilatura, the extraction peer); `install`
# (an exact sync without it) takes it out again.
bench: install
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON_VERSION) --group bench --quiet
	$(VENV)/bin/python -m benchmarks.run
	$(VENV)/bin/python -m benchmarks.scale --sizes $(SCALE_SIZES)

# The five seed pages and their gold live beside the repo (../shared), not in it: a clone
# without them says so and exits 0.
eval: install
	@if [ -f ../shared/gold/seeds.jsonl ] && [ -d ../shared/corpus/seeds ]; then \
	  $(VENV)/bin/zonewatch eval --gold ../shared/gold/seeds.jsonl --input ../shared/corpus/seeds; \
	else \
	  echo "eval: skipped, no ../shared/gold/seeds.jsonl and ../shared/corpus/seeds beside this clone"; \
	fi

# The real-page corpus (eval/real/): its text is third-party and lives, uncommitted, in
# .devcorpus/real/; without it this says how to rebuild it and exits 0.
eval-real: install
	$(VENV)/bin/python scripts/real_corpus.py eval --sidecars
	$(VENV)/bin/python scripts/real_corpus.py eval --parts test

lint: install
	$(VENV)/bin/ruff check ingest dags tests benchmarks
	$(VENV)/bin/mypy

clean:
	rm -rf data .airflow .pytest_cache dbt_project/target dbt_project/logs

# The programs some tests run, installed with apt-get when missing (as root or through
# sudo; no recommends, so no Docker engine comes with docker-compose):
# * docker-compose: tests/compose checks docker-compose.yml, Dockerfile and .env.example
#   against the Compose-spec JSON schema and runs `docker-compose config -q`;
# * postgresql (initdb and postgres; Debian keeps them in /usr/lib/postgresql/*/bin) and
#   redis-server: tests/postgres and tests/topology start throwaway servers from them.
# * chromium: tests/e2e/test_report_e2e.py opens `zonewatch report` headless, offline.
tools:
	@missing=; \
	command -v docker-compose >/dev/null 2>&1 || missing="$$missing docker-compose"; \
	{ command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1; } \
	  || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	[ -z "$$missing" ] || { \
	  echo "tools: installing$$missing with apt-get"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	       --no-install-recommends $$missing >/dev/null; }

compose-check: install tools
	@docker-compose version | head -n 1
	$(VENV)/bin/pytest -q tests/compose

# The deployment topology on this machine: api-server, scheduler, dag-processor and two
# Celery workers against throwaway PostgreSQL and Redis servers (tests/topology; skips
# when their programs are missing, see `tools`; leaves no server, process or file behind).
.PHONY: test-topology
test-topology: install
	$(VENV)/bin/pytest -q -m topology tests/topology

# Pipeline at 1k, 10k and 100k generated pages from a local server, each size in a fresh
# process: per-step throughput, growth ratios, peak RSS, and the cost of a 1% re-run
# (writes benchmarks/out/scale.json).
.PHONY: bench-scale
bench-scale: install
	$(VENV)/bin/python -m benchmarks.scale --sizes $(SCALE_SIZES)

# Chaos test, loopback only: a generated site on 127.0.0.1; each of CHAOS_CYCLES cycles
# SIGKILLs a run at a random point, starts a second run on the same workdir (it must be
# refused) while a reader queries the published file; then checks the invariants
# (benchmarks/chaos.py). Stops starting cycles before CHAOS_MAX_MINUTES; exit 1 on any
# violation, one line each.
CHAOS_CYCLES ?= 20
CHAOS_MAX_MINUTES ?= 40
.PHONY: chaos
chaos: install
	CHAOS_CYCLES=$(CHAOS_CYCLES) CHAOS_MAX_MINUTES=$(CHAOS_MAX_MINUTES) \
	  $(VENV)/bin/python -m benchmarks.chaos
