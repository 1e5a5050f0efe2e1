# OpsReview — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# DEMO=0: start empty (the v1 questionnaires, no demo data); the browser asks for the first admin.
DEMO ?= 1
# Links in e-mails and API answers point where `make run` serves (0.0.0.0 is reached locally).
SITE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
export DEBUG ?= 1

.PHONY: run test test-unit test-integration install system-run system-test migrate questionnaires demo lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# xstatic-bootstrap ships only an sdist whose setup needs pkg_resources (setuptools < 81).
	$(PIP) install -q "setuptools<81" wheel
	$(PIP) install -q --no-build-isolation "xstatic-bootstrap>=5.3,<5.4"
	$(PIP) install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed .env

# Local development runs with DEBUG on, so manage.py works without a SECRET_KEY; production
# sets its variables in the environment and has no .env (it is ignored by git and docker).
.env:
	printf 'DEBUG=1\n' > .env

# WeasyPrint needs Pango; a bare Debian may not have it.
system-run:
	@if ! ldconfig -p | grep -q libpango-1.0; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core; fi

system-test: system-run
	@missing=""; \
	for pkg in redis-server postgresql chromium poppler-utils; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

migrate: install system-run
	$(PY) manage.py migrate --noinput -v 0

questionnaires: migrate
	$(PY) manage.py load_questionnaire fixtures/orr/v1.yaml fixtures/coe/v1.yaml

demo: migrate
	$(PY) manage.py seed_demo

ifeq ($(DEMO),0)
run: questionnaires
	@echo ""
	@echo "  OpsReview is starting on $(SITE_URL)/ without demo data."
	@echo "  First time? Open $(SITE_URL)/setup/ to create the first administrator."
	@echo ""
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)
else
run: demo
	@echo ""
	@echo "  OpsReview is starting on $(SITE_URL)/"
	@echo "  Demo logins (password: demo):"
	@echo "    ana    member of the Payments team"
	@echo "    raj    reviewer in the Platform team"
	@echo "    olu    ops lead"
	@echo "    admin  superuser (admin at /admin/)"
	@echo ""
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver $(HOST):$(PORT)
endif

test: install system-test
	$(PY) tests/harness.py unit
	$(PY) tests/harness.py integration

test-unit: install
	$(PY) tests/harness.py unit

test-integration: install system-test
	$(PY) tests/harness.py integration

bench: install system-test
	$(PY) tests/bench/run.py

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 media
