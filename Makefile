# Inkwell — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run worker test lint typecheck pytest bench schema migrate demo bulk lock upgrade sbom services-up services-down k8s-check clean

help:  ## List the targets.
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# The virtualenv is rebuilt only when a lock changes. pip checks every file
# against the lock's hashes and refuses anything the lock does not list.
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is required (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

# requirements-dev.txt holds the runtime set too, at requirements.txt's versions.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## Install, migrate, load demo data; serve on http://127.0.0.1:8000 with a task worker.
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	PY=$(PY) scripts/run_dev.sh $(HOST):$(PORT)

worker: $(VENV)/.runtime  ## Run a task worker alone (make run starts one).
	$(MANAGE) worker

test: lint typecheck pytest  ## Lint, type-check and run the tests with coverage.

lint: $(VENV)/.dev  ## ruff check and format check.
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev  ## mypy with the Django and DRF plugins.
	$(BIN)/mypy .

pytest: $(VENV)/.dev  ## The test suite with a coverage report.
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

bench: $(VENV)/.dev  ## Benchmark against /healthz on PostgreSQL + Redis (needs DATABASE_URL, REDIS_URL, wrk).
	$(PY) scripts/bench.py $(BENCH_ARGS)

schema: $(VENV)/.runtime  ## Regenerate docs/openapi.yaml after an intended API change.
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) spectacular \
		--validate --fail-on-warn --file docs/openapi.yaml

migrate: $(VENV)/.runtime  ## Apply migrations.
	$(MANAGE) migrate --noinput

demo: $(VENV)/.runtime  ## Load the demo accounts and content.
	$(MANAGE) seed_demo

BULK_POSTS ?= 100000
bulk: $(VENV)/.runtime  ## Migrate and load BULK_POSTS generated posts for benchmarks.
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo --bulk $(BULK_POSTS)

lock: $(VENV)/.dev  ## Re-lock requirements*.txt from the requirements*.in files, keeping locked versions.
	scripts/lock.sh

upgrade: $(VENV)/.dev  ## Re-lock at the newest releases the .in pins allow (PACKAGE=name for one).
	scripts/lock.sh $(if $(PACKAGE),--upgrade-package $(PACKAGE),--upgrade)

sbom: $(VENV)/.dev  ## CycloneDX SBOM of the runtime packages: test-artifacts/sbom.cdx.json.
	PY=$(PY) scripts/sbom.sh test-artifacts/sbom.cdx.json

services-up:  ## Start a throwaway PostgreSQL and Redis on loopback.
	scripts/services.sh up

services-down:  ## Stop them.
	scripts/services.sh down

k8s-check:  ## Render deploy/k8s and check it offline (schemas, checkov).
	scripts/check_k8s.sh

clean:  ## Remove the virtualenvs, caches and the SQLite database.
	rm -rf $(VENV) .venv-deploy .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov staticfiles
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
