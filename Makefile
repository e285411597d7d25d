# customer-plans: `make demo` builds a demo bank and runs the nightly DAG; `make test` runs the tests.
# Both set everything up on a fresh machine (Python 3.11 and the package registries are enough).

SHELL := /bin/bash
# The interpreter the venv is made from. Rendering is mostly Python (WeasyPrint), so its build
# shows: the distribution's python3.11 (Debian's is built with PGO and LTO and linked
# statically, like the python:3.11 image the Dockerfile starts from is optimized) renders the
# same plans, byte for byte, 11-17 % faster than a plain --enable-shared build such as pyenv's
# default, which may come first on PATH. So it is used when there is one; `make PYTHON=...`
# picks another (for a .venv made before, remove it first).
PYTHON ?= $(or $(wildcard /usr/bin/python3.11),python3)
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
AIRFLOW_ENV = eval "$$($(BIN)/python -m customer_plans.devenv)" && export PATH="$(CURDIR)/$(BIN):$$PATH"

DEMO_CUSTOMERS ?= 20000
DEMO_MANAGERS ?= 100
DEMO_BRANCHES ?= 10
DEMO_BUSINESS_DATE ?= 2026-11-19
PYTEST_ARGS ?=
# the print fonts, one per family the languages file names (print_font), built from the system
# CJK fonts by customer_plans.render.fonts (which builds every stale family; this file stands
# for them all), and the font files they are cut from (every print_font source): a newer
# system font (an upgrade) or another languages file means a rebuild of what changed
PRINT_FONT := include/templates/plans/fonts/PlanSansSC-Regular.ttf
PRINT_FONT_SOURCES := $(wildcard $(shell sed 's/\#.*//' include/config/languages.yaml \
	| grep -o 'source: *[^,}]*' | sed 's/source: *//; s/ *$$//' | tr -d "\"'" | sort -u \
	| while read -r family; do for style in Regular Bold; do \
	fc-match -f '%{file}\n' "$$family:style=$$style" 2>/dev/null; done; done))

.DEFAULT_GOAL := help
.PHONY: help locale extract-messages setup system-deps demo test airflow-ui celery-start celery-run celery-stop lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python "$$(command -v $(PYTHON))"
	touch $@

system-deps:  ## install the CJK font, PDF tools and Pango the plans need, and Chromium for the phone-width test (apt, when available)
	@scripts/install-system-deps.sh

# the module rebuilds only what is stale (touch: make need not ask again); it needs the system
# font, hence after system-deps (order-only: system-deps is phony)
$(PRINT_FONT): $(VENV)/.synced include/customer_plans/render/fonts.py \
		include/config/languages.yaml $(PRINT_FONT_SOURCES) | system-deps
	$(BIN)/python -m customer_plans.render.fonts
	@touch $@

# the compiled message catalogues, one per language with a catalogue (include/locale)
LOCALE_PO := $(wildcard include/locale/*/LC_MESSAGES/messages.po)
LOCALE_MO := $(LOCALE_PO:.po=.mo)

include/locale/%/LC_MESSAGES/messages.mo: include/locale/%/LC_MESSAGES/messages.po $(VENV)/.synced
	$(BIN)/pybabel compile --statistics -D messages -d include/locale -l $*

locale: $(LOCALE_MO)  ## compile the message catalogues (pybabel compile)

extract-messages: $(VENV)/.synced  ## after a change of wording: extract the messages of templates, code and codes, merge them into every language's catalogue
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
		--project customer-plans --version 1 -c TRANSLATORS: -o include/locale/messages.pot .
	$(BIN)/pybabel update -i include/locale/messages.pot -d include/locale -D messages \
		--no-fuzzy-matching --ignore-obsolete

setup: $(VENV)/.synced system-deps $(PRINT_FONT) $(LOCALE_MO)  ## create .venv with the locked dependencies, system packages, the print font and the compiled catalogues
	@$(AIRFLOW_ENV) && mkdir -p "$$AIRFLOW_HOME" && airflow db migrate > "$$AIRFLOW_HOME/migrate.log" 2>&1 \
		|| { cat "$$AIRFLOW_HOME/migrate.log"; exit 1; }
	@$(AIRFLOW_ENV) && airflow pools set core_banking 4 "Concurrent queries against the core banking system" > /dev/null

demo: setup  ## generate a demo bank, run the nightly DAG for the demo business date, print where the plans are
	@$(AIRFLOW_ENV) && scripts/demo.sh "$(DEMO_CUSTOMERS)" "$(DEMO_MANAGERS)" "$(DEMO_BRANCHES)" "$(DEMO_BUSINESS_DATE)"

test: setup $(VENV)/.synced-celery  ## ruff, then the whole test suite (PostgreSQL and Redis tests skip, saying why, when no server is reachable)
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

airflow-ui:  ## start the Airflow UI (standalone, low parallelism) on the project's Airflow home
	@$(AIRFLOW_ENV) && export AIRFLOW__CORE__PARALLELISM=2 && airflow standalone

$(VENV)/.synced-celery: $(VENV)/.synced
	$(UV) sync --frozen --extra celery --python "$$(command -v $(PYTHON))"
	touch $@

celery-start: setup $(VENV)/.synced-celery  ## start Airflow on CeleryExecutor with the local PostgreSQL and Redis, as plain processes
	@scripts/celery-local.sh start

celery-run:  ## run the nightly DAG for the demo business date on the Celery deployment and wait for it
	@scripts/celery-local.sh run "$(DEMO_BUSINESS_DATE)"

celery-stop:  ## stop the Celery deployment's processes
	@scripts/celery-local.sh stop

lint:  ## ruff
	$(BIN)/ruff check .

bench: setup  ## benchmark scripts (print figures)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:  ## remove generated data, outputs and the Airflow home (keeps .venv and the print font)
	rm -rf data output .airflow .airflow-celery
