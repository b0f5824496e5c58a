# Quickstart: `make run` serves everything on 127.0.0.1:$(PORT); `make test` runs the suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test install lint bench bench-quick worker beat

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bootstrap_sandbox
	PORT=$(PORT) $(PY) scripts/run_dev.py

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

worker: install
	$(PY) -m celery -A onboarding_project worker --loglevel=INFO

beat: install
	$(PY) -m celery -A onboarding_project beat --loglevel=INFO

# Benchmark (docs/readme-bench.md). Meant for PostgreSQL and Redis: set DATABASE_URL and
# CELERY_BROKER_URL; the bench uses its own database, `<name>_bench`, and its own queues.
bench: install
	$(PY) -m bench.run

bench-quick: install
	$(PY) -m bench.run --quick
