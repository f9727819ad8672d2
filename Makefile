# Two commands: `make run` (the whole app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format messages sysdeps venv bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Debian packages for the browser tests (Chromium), CJK fonts for screenshots and gettext for translations.
sysdeps:
	@if ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk gettext >/dev/null; \
	  else echo "Please install chromium and gettext (e.g. sudo apt-get install chromium gettext fonts-noto-cjk)"; exit 1; fi; \
	fi

messages: $(STAMP)
	$(PY) scripts/compile_messages.py

run: $(STAMP) messages
	$(PY) scripts/dev.py run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: $(STAMP) sysdeps messages lint
	$(PY) scripts/dev.py test --create-db -p no:cacheprovider $(PYTEST_ARGS)

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts
