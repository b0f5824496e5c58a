# Quickstart: `make run` serves everything on 127.0.0.1:$(PORT); `make test` runs the suite.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
FAULTS_ARGS ?=

.PHONY: run test install lint bench bench-quick worker beat clients clients-check clients-test clients-tools

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	PORT=$(PORT) $(PY) scripts/run_dev.py

# The whole suite, then the fault suite (serially: it starts and kills its own PostgreSQL, Redis,
# gunicorn and Celery workers; it skips with a reason where those are not installed).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m pytest -m faults -p no:xdist faults -q -ra $(FAULTS_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# One worker for every queue: the default one, the webhook deliveries' and Meta's inbound payloads'
# (the Procfile splits them). Threads: completions and deliveries mostly wait on Meta and endpoints.
worker: install
	$(PY) -m celery -A onboarding_project worker --loglevel=INFO --pool=threads --concurrency=$${CELERY_CONCURRENCY:-16} -Q celery,$${WEBHOOK_QUEUE:-webhooks},$${INBOUND_QUEUE:-inbound},$${MESSAGES_QUEUE:-messages}

beat: install
	$(PY) -m celery -A onboarding_project beat --loglevel=INFO

# Benchmark (README, "Benchmark"). Meant for PostgreSQL and Redis: set DATABASE_URL and
# CELERY_BROKER_URL; the bench uses its own database, `<name>_bench`, and its own queues.
bench: install
	$(PY) -m bench.run

bench-quick: install
	$(PY) -m bench.run --quick

# Client libraries (docs/clients.md). Their generators live apart from the service's .venv: the
# Python one in .venv-clients (clients/codegen/requirements.txt), the TypeScript one in
# clients/typescript/node_modules (package-lock.json), both from the package registries.
CLIENTS_VENV := .venv-clients
TS_CLIENT := clients/typescript

$(CLIENTS_VENV)/.installed: clients/codegen/requirements.txt
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/python -m pip install --quiet -r clients/codegen/requirements.txt
	touch $@

$(TS_CLIENT)/node_modules/.installed: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	cd $(TS_CLIENT) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

clients-tools: install $(CLIENTS_VENV)/.installed $(TS_CLIENT)/node_modules/.installed

# Regenerate clients/openapi.json and both clients from the code (no server needed).
clients: clients-tools
	$(PY) scripts/clients.py generate

# Fails when the committed clients differ from the code's schema (CI runs it after the tests).
clients-check: clients-tools
	$(PY) scripts/clients.py check

# Both clients' tests; with ONBOARDING_API_URL and ONBOARDING_API_KEY set (a `make run` server),
# also against that server: create a link, read it, verify a webhook the server delivers.
clients-test: clients-tools
	cd clients/python/tests && ../../../$(CLIENTS_VENV)/bin/python -m pytest -q -ra
	cd $(TS_CLIENT) && npm test
