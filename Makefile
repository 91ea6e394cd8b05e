# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test test-postgres lint format bench browser clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 12) else "Python 3.12 or newer is needed, found %d.%d: install 3.13 (see .python-version) or run make PYTHON=python3.13" % v[:2])'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py seed_demo
	@echo "Dashboard: http://127.0.0.1:$(PORT)/  (Ctrl-C stops everything)"
	@# Ctrl-C (exit status 130) is how the dashboard is meant to stop: not an error.
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --port $(PORT) --procfile Procfile \
	  || [ $$? -eq 130 ]

# Browser tests drive Debian's chromium; install it when it is missing and we may.
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; fi; }

PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/jobdesk

# Every test on SQLite (the embedded default), then again on PostgreSQL when one is reachable
# (CI_REQUIRE_POSTGRES=1 makes a missing server a failure).
test: install browser
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
	  DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest --create-db $(PYTEST_ARGS); \
	elif [ -n "$$CI_REQUIRE_POSTGRES" ]; then echo "PostgreSQL is not reachable on 127.0.0.1:5432"; exit 1; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: ran on SQLite only"; fi

# The whole suite against PostgreSQL.
test-postgres: install browser
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

lint:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles .pytest_cache test-artifacts
