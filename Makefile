# Two commands on a fresh machine: `make run` (set up and serve) and `make test` (set up and test).

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
# The Python that builds the virtualenv, e.g. 3.12; the stamp below names it, so a .venv made by
# another Python (or another version of this one) is rebuilt rather than reused half-broken.
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed-python-$(PYTHON_VERSION)
HOST ?= 127.0.0.1
PORT ?= 8000
# Where the PostgreSQL + Redis pass of `make test` runs.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/blog
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

# Local development runs with debug on; production sets its own environment (see README).
run setup: export DJANGO_DEBUG ?= 1
run: export SITE_URL ?= http://$(HOST):$(PORT)

# `make serve`: the production stack on this machine (debug off, gunicorn, collected static
# files), with safe local values for what production must be told; what the benchmarks measure.
serve: export DJANGO_DEBUG = 0
serve: export DJANGO_SECRET_KEY ?= $(shell cat .local-secret-key 2>/dev/null || \
	$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' | tee .local-secret-key)
serve: export DJANGO_ALLOWED_HOSTS ?= $(HOST),localhost
serve: export SITE_URL ?= http://$(HOST):$(PORT)
serve: export DJANGO_SECURE_COOKIES ?= 0
serve: export GUNICORN_BIND ?= $(HOST):$(PORT)

.PHONY: help setup run serve test test-sqlite test-postgres bench loadtest lint format clean

help:
	@echo "make run    set everything up and serve the site on http://$(HOST):$(PORT)/"
	@echo "make serve  the same, as production serves it: gunicorn, debug off (bench/README.md)"
	@echo "make test   set everything up and run the whole test suite (SQLite, then PostgreSQL + Redis)"
	@echo "make setup  virtualenv, install, migrate, sample content"
	@echo "make bench  import, render, page and search benchmarks (BENCH_POSTS=10000), bench/README.md"
	@echo "make loadtest  mixed load on gunicorn, Redis stopped midway (SECURITY.md)"
	@echo "make lint   ruff format check and lint"

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Python 3.11 or newer is needed; found '$(PYTHON)' ($(PYTHON_VERSION))."; \
		echo "Install one (e.g. apt install python3.11) or run: make PYTHON=/path/to/python3.12"; \
		exit 1; }
	@if [ -d $(VENV) ] && ! ls $(VENV)/.installed-python-$(PYTHON_VERSION) >/dev/null 2>&1; then \
		echo "Rebuilding $(VENV) with Python $(PYTHON_VERSION)"; rm -rf $(VENV); fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,postgres,redis]"
	touch $@

setup: $(INSTALLED)
	$(PY) manage.py migrate --noinput --verbosity 0
	$(PY) manage.py import_posts fixtures/posts

run: setup
	$(PY) manage.py ensure_demo_admin
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: setup
	$(PY) manage.py collectstatic --noinput --verbosity 0
	DJANGO_DEBUG=1 $(PY) manage.py ensure_demo_admin  # a login for this machine's admin
	$(VENV)/bin/gunicorn --config site_config/gunicorn.conf.py site_config.wsgi

test: setup test-sqlite test-postgres

test-sqlite: $(INSTALLED)
	@echo "== Test suite on SQLite (local-memory cache)"
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(INSTALLED)
	@echo "== Test suite on PostgreSQL + Redis ($(TEST_DATABASE_URL), $(TEST_REDIS_URL))"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) BLOG_TEST_SERVICES=1 \
		$(PY) -m pytest $(PYTEST_ARGS)

# The importer against the single-threaded cost of parsing and rendering (bench/README.md).
BENCH_POSTS ?= 10000
# Every benchmark runs even when one misses a target (each prints PASS or FAIL per target);
# the exit status says whether all of them met theirs.
bench: $(INSTALLED)
	@status=0; \
	$(PY) bench/bench_import.py --posts $(BENCH_POSTS) --json bench/results.json || status=1; \
	$(PY) bench/bench_render.py --json bench/render.json || status=1; \
	$(PY) bench/bench_pages.py --posts $(BENCH_POSTS) --json bench/pages-sqlite.json || status=1; \
	$(PY) bench/bench_pages.py --posts $(BENCH_POSTS) --database postgres \
		--json bench/pages-postgres.json || status=1; \
	$(PY) bench/bench_search.py --posts $(BENCH_POSTS) --json bench/search-sqlite.json || status=1; \
	$(PY) bench/bench_search.py --posts $(BENCH_POSTS) --database postgres \
		--json bench/search-postgres.json || status=1; \
	exit $$status

# Opt-in: readers, searches, an import and admin saves at once against gunicorn on 127.0.0.1, on
# SQLite and on PostgreSQL with a Redis that is stopped and restarted midway (SECURITY.md).
LOADTEST_SECONDS ?= 60
loadtest: $(INSTALLED)
	$(PY) bench/loadtest.py --database sqlite --seconds $(LOADTEST_SECONDS) --json bench/loadtest-sqlite.json
	$(PY) bench/loadtest.py --database postgres --seconds $(LOADTEST_SECONDS) --json bench/loadtest-postgres.json

lint: $(INSTALLED)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache *.egg-info bench/.corpus-*
