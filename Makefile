# Two entry points for a newcomer (see README.md):
#   make demo   install, migrate, load the demo conference, serve http://127.0.0.1:8000
#               (another port: make demo PORT=8001)
#   make test   install and run the whole test suite
# Everything installs into .venv from the hashed lock files in requirements/.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: install demo demo-port serve test lint format lock messages messages-check clean

$(STAMP): requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

# The port the demo serves on; it is checked first, before anything is installed or migrated.
PORT ?= 8000
# Succeeds when the demo server could listen on 127.0.0.1:$(1), as runserver does.
port_free = $(PYTHON) -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $(1)))" 2>/dev/null

# Links printed by seed_demo and written in the console's emails point at the demo's port.
demo: export DJANGO_SITE_URL ?= http://127.0.0.1:$(PORT)
demo: demo-port install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --open-registration --registrations 300 --demo-organiser
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo-port:
	@case "$(PORT)" in ''|*[!0-9]*) echo "PORT must be a port number, not '$(PORT)'" >&2; exit 2;; esac; \
	if ! $(call port_free,$(PORT)); then \
	  next=$$(( $(PORT) + 1 )); \
	  while [ $$next -lt 65535 ] && ! $(call port_free,$$next); do next=$$(( next + 1 )); done; \
	  echo "Port $(PORT) is in use: run \`make demo PORT=$$next\`" >&2; exit 1; \
	fi

# Tests that need PostgreSQL, Redis and a Celery worker run against the services named by
# DATABASE_URL and REDIS_URL; when those are unset, the local defaults are used if they answer,
# and otherwise those tests are skipped (in CI, with CI=true, they fail instead).
LOCAL_DATABASE_URL := postgres://postgres@127.0.0.1:5432/conference
LOCAL_REDIS_URL := redis://127.0.0.1:6379/1
port_open = $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', $(1)), 1)" 2>/dev/null

test: install
	@if [ -z "$${DATABASE_URL+set}" ] && $(call port_open,5432); then \
	  export DATABASE_URL=$(LOCAL_DATABASE_URL); fi; \
	if [ -z "$${REDIS_URL+set}" ] && $(call port_open,6379); then \
	  export REDIS_URL=$(LOCAL_REDIS_URL); fi; \
	echo "tests: DATABASE_URL=$${DATABASE_URL:-(SQLite)} REDIS_URL=$${REDIS_URL:-(none)}"; \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	@$(MAKE) --no-print-directory messages-check

# The French catalogue is complete: msgfmt's check passes and its statistics count no
# untranslated or fuzzy message (needs GNU gettext).
MESSAGES_PO ?= locale/fr/LC_MESSAGES/django.po
messages-check:
	@stats=$$(msgfmt --check --statistics -o /dev/null $(MESSAGES_PO) 2>&1) \
	  || { echo "$$stats" >&2; exit 1; }; \
	echo "$$stats"; \
	if echo "$$stats" | grep -Eq 'untranslated|fuzzy'; then \
	  echo "$(MESSAGES_PO): translate every message and clear the fuzzy ones" >&2; exit 1; \
	fi

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate the lock files after changing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements/base.txt
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/dev.txt

# Update and compile the translation catalogues (needs GNU gettext; the .mo files are committed).
messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
