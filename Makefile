# collective.rendezvous: the two commands are `make start` and `make test`.
# `make help` lists the others.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTANCE ?= instance
HOST ?= 127.0.0.1
PORT ?= 8080
SITE_ID ?= Plone
PYTEST_ARGS ?=

export INSTANCE HOST PORT SITE_ID

.PHONY: help
help: ## This list
	@grep -E '^[a-zA-Z_.-]+:.*?## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

# --- installation -----------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Two installs, each with a stamp remade when a file that decides what it
# installs changes:
# - `make install` (what `make start` needs): the add-on and what the demo site
#   uses (requirements.txt). Nothing is built from source, no root needed.
# - `make install-test` (what `make test`, lint, bench... need): that, plus
#   the test and dev extras (requirements-test.txt), among them psycopg2
#   (RelStorage's driver), which builds against libpq: pg-deps first.
$(VENV)/.installed: $(BIN)/python constraints.txt requirements.txt setup.py
	$(BIN)/python -m pip install -q -c constraints.txt pip setuptools wheel
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt | pg-deps
	$(BIN)/python -m pip install -q -r requirements-test.txt
	@touch $@

# STORAGE=relstorage for `make start-cluster`: RelStorage and psycopg2 only
# (the PostgreSQL server is yours, see docs/relstorage.rst); psycopg2 builds
# against libpq (pg_config): libpq-deps first.
$(VENV)/.installed-relstorage: $(VENV)/.installed | libpq-deps
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[relstorage]'
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv, install the add-on and what the demo needs (idempotent)

.PHONY: install-test
install-test: $(VENV)/.installed-test ## `make install` plus the test and dev tools (psycopg2 needs libpq)

# --- the demo site ------------------------------------------------------------

.PHONY: instance
instance: install ## Write the Zope instance configuration (instance/etc) from etc/
	$(BIN)/python scripts/instance.py $(INSTANCE) --host $(HOST) --port $(PORT)

.PHONY: site
site: instance ## Create the Plone site with the add-on and demo data, unless it exists
	ADMIN_PASSWORD_FILE=$(INSTANCE)/admin-password \
	  $(BIN)/zconsole run $(INSTANCE)/etc/zope.conf scripts/create_site.py

.PHONY: start
start: site ## Serve the demo site on http://localhost:8080/Plone (Ctrl-C stops)
	BIN=$(BIN) scripts/serve

.PHONY: stop
stop: ## Stop the server started by `make start`
	@if [ -f $(INSTANCE)/var/serve.pid ]; then \
	  kill -TERM $$(cat $(INSTANCE)/var/serve.pid) && echo "Stopping."; \
	else echo "Not running."; fi

# --- several processes (ZEO) ----------------------------------------------------

# STORAGE=relstorage DSN="host=... dbname=... user=...": RelStorage on an
# existing PostgreSQL database instead of ZEO, in var/cluster-relstorage
# (docs/relstorage.rst); stop it with `make stop-cluster STORAGE=relstorage`.
STORAGE ?= zeo
DSN ?=
CLUSTER ?= $(if $(filter relstorage,$(STORAGE)),var/cluster-relstorage,var/cluster)
RENDER_STORAGE := $(if $(filter relstorage,$(STORAGE)),--storage relstorage --dsn "$(DSN)")

.PHONY: start-cluster
start-cluster: install $(if $(filter relstorage,$(STORAGE)),$(VENV)/.installed-relstorage) ## ZEO server (or STORAGE=relstorage DSN=...) + two Zope processes (8081, 8082)
	@[ -f $(CLUSTER)/cluster.json ] || \
	  $(BIN)/python scripts/cluster.py render $(CLUSTER) --clients 2 --http-ports 8081,8082 \
	    $(RENDER_STORAGE)
	SITE_ID=$(SITE_ID) $(BIN)/python scripts/cluster.py run $(CLUSTER) scripts/create_site.py
	$(BIN)/python scripts/cluster.py start $(CLUSTER)

.PHONY: stop-cluster
stop-cluster: ## Stop what `make start-cluster` runs
	$(BIN)/python scripts/cluster.py stop $(CLUSTER)

# --- quality -------------------------------------------------------------------

.PHONY: test
test: install-test browser-deps pg-deps ## Run the whole test suite
	$(BIN)/pytest $(PYTEST_ARGS)

# The browser tests (tests/browser) drive Debian's chromium with Playwright's
# Python API and inject axe-core, pinned in tests/browser/package*.json, from
# .browser/ (git-ignored). Without root or apt-get, chromium is not installed
# and the browser tests skip, saying why (they fail instead when CI=true).
CHROMIUM ?= /usr/bin/chromium
AXE := .browser/node_modules/axe-core/axe.min.js

.PHONY: browser-deps
browser-deps: $(AXE) ## Install what the browser tests need: chromium (apt-get) and axe-core (npm)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's chromium for the browser tests (apt-get)."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  echo "WARNING: $(CHROMIUM) is missing and cannot be installed here (needs root and apt-get):"; \
	  echo "WARNING: the browser tests in tests/browser will be skipped."; \
	fi

# tests/cluster/test_relstorage.py starts a private PostgreSQL with Debian's
# initdb/pg_ctl (/usr/lib/postgresql/*/bin; as the postgres user when run as
# root); psycopg2 builds against libpq (pg_config, libpq-dev). Without root or
# apt-get nothing is installed and the test skips (it fails when CI=true).
.PHONY: pg-deps
pg-deps: ## Install what RelStorage and its test need: postgresql, libpq-dev (apt-get)
	@missing=""; \
	if ! ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 && \
	   ! { command -v initdb && command -v pg_ctl; } >/dev/null 2>&1; then missing=" postgresql"; fi; \
	command -v pg_config >/dev/null || missing="$$missing libpq-dev"; \
	if [ -z "$$missing" ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's$$missing for RelStorage and its test (apt-get)."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "WARNING: missing and not installable here (needs root and apt-get):$$missing"; \
	  echo "WARNING: without postgresql, tests/cluster/test_relstorage.py will be skipped;"; \
	  echo "WARNING: without libpq-dev (pg_config), psycopg2 does not build."; \
	fi

# psycopg2 for `make start-cluster STORAGE=relstorage`: libpq-dev only.
.PHONY: libpq-deps
libpq-deps:
	@if command -v pg_config >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  echo "Installing Debian's libpq-dev for psycopg2 (apt-get)."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev; \
	else \
	  echo "WARNING: libpq-dev (pg_config) is missing and not installable here (needs root"; \
	  echo "WARNING: and apt-get): psycopg2 does not build."; \
	fi

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then \
	  mkdir -p .browser && cp tests/browser/package.json tests/browser/package-lock.json .browser/ && \
	  npm ci --prefix .browser --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "WARNING: npm is missing: axe-core is not installed, the axe-core browser test will be skipped."; \
	fi

.PHONY: lint
lint: install-test ## ruff check, ruff format --check, zpretty --check
	$(BIN)/ruff check src tests bench scripts setup.py
	$(BIN)/ruff format --check src tests bench scripts setup.py
	find src -name '*.zcml' -o -name '*.xml' | grep -v '/locales/' | \
	  xargs $(BIN)/zpretty --check

.PHONY: format
format: install-test ## Format the code (ruff, zpretty)
	$(BIN)/ruff check --fix src tests bench scripts setup.py
	$(BIN)/ruff format src tests bench scripts setup.py
	find src -name '*.zcml' -o -name '*.xml' | grep -v '/locales/' | \
	  xargs $(BIN)/zpretty -i

.PHONY: bench
bench: install-test ## Run the benchmarks in bench/ and print their tables
	@for script in bench/*.py; do \
	  [ -e "$$script" ] || continue; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; done

# --- pins and buildout ------------------------------------------------------------

.PHONY: constraints
constraints: install-test ## Regenerate constraints.txt and versions.cfg from .venv
	$(BIN)/python scripts/pins.py freeze --python $(BIN)/python
	$(BIN)/python scripts/pins.py versions-cfg

versions.cfg: constraints.txt
	$(BIN)/python scripts/pins.py versions-cfg

.PHONY: buildout
buildout: ## Build bin/instance and bin/test the buildout way (see docs/installation.rst)
	$(PYTHON) -m venv buildout-venv
	buildout-venv/bin/python -m pip install -q -c constraints.txt zc.buildout setuptools wheel pip
	buildout-venv/bin/buildout -N

.PHONY: check-buildout
check-buildout: buildout ## Run buildout from scratch and check bin/instance and bin/test work
	bin/instance run scripts/check_instance.py
	bin/test tests/setup -q

# --- translations -----------------------------------------------------------------

# locales/manual.pot holds what i18ndude cannot extract (messages built at run
# time) and the messages of notifications/texts.py, whose defaults are built
# with + and which is therefore not extracted (see the head of manual.pot).
# tests/unit/test_i18n.py checks the result; new French msgids come out empty.
LOCALES := src/collective/rendezvous/locales

.PHONY: i18n
i18n: install-test ## Extract messages and sync the fr/en catalogues (needs i18ndude)
	$(BIN)/python -m pip install -q -c constraints.txt i18ndude
	$(BIN)/i18ndude rebuild-pot --pot $(LOCALES)/collective.rendezvous.pot \
	  --create collective.rendezvous --merge $(LOCALES)/manual.pot \
	  --exclude texts.py --no-line-numbers src/collective/rendezvous
	$(BIN)/i18ndude sync --pot $(LOCALES)/collective.rendezvous.pot \
	  $(LOCALES)/*/LC_MESSAGES/collective.rendezvous.po
	@if command -v msgfmt >/dev/null; then \
	  for po in $(LOCALES)/*/LC_MESSAGES/collective.rendezvous.po; do \
	    msgfmt --check -o /dev/null $$po || exit 1; done; \
	else echo "WARNING: gettext's msgfmt is missing: the .po files are not checked."; fi

.PHONY: clean
clean: ## Remove the virtualenv and build files (keeps instance/ and its data)
	rm -rf $(VENV) buildout-venv bin parts develop-eggs eggs .installed.cfg build dist
	find . -name __pycache__ -prune -exec rm -rf {} +
