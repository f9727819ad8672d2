# Two commands: `make run` (the whole app with demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-dates lint format messages sysdeps venv bench bench-all clean

# Parallel test processes (pytest-xdist); each gets its own test database and Celery broker database.
TEST_WORKERS ?= 2
# The date-sensitive tests (marked `dates` in conftest.py) run again as if today were each of these: 31 December late
# in the evening (a month's and a year's last day), 1 January before 08:00 (still 31 December in UTC), a leap day, the
# card-filing day (the 10th, still on time) and the day after it, and a Monday (2027-03-08). The Monday after a
# make-up working Saturday needs that Saturday in the calendar: reminders/tests/scans/test_make_up_days.py sets it
# (Taiwan's 2023-02-18) and its own clock.
HARD_DATES ?= 2026-12-31T23:30 2027-01-01T07:30 2028-02-29 2027-03-10 2027-03-11 2027-03-08

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# System packages for the browser tests (Chromium), CJK fonts for screenshots and gettext for translations:
# installed with apt-get on Debian as root; anywhere else the script says exactly what to install.
sysdeps:
	@sh scripts/sysdeps.sh

messages: $(STAMP)
	$(PY) scripts/compile_messages.py

run: $(STAMP) messages
	$(PY) scripts/dev.py run

# Style, then the layers (import-linter contracts in pyproject.toml), then types (mypy, strict on rules/permissions).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: $(STAMP) sysdeps messages lint
	$(PY) scripts/dev.py test --create-db -p no:cacheprovider -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-dates

# The date-sensitive tests on each of HARD_DATES (pytest --today travels the clock for the whole run).
test-dates: $(STAMP)
	@for d in $(HARD_DATES); do \
	  echo "== date-sensitive tests as if today were $$d"; \
	  $(PY) scripts/dev.py test -p no:cacheprovider -q -n $(TEST_WORKERS) -m dates --today=$$d || exit 1; \
	done

# Throughput of each endpoint as a ratio to hello-world, p50/p95 at two sizes (BENCH_SCALES), var/bench.json;
# then the search benchmark (BENCH_SEARCH_CUSTOMERS, default 100,000). bench-all also runs the older scripts (and
# bench/summary.py: the summary refresh, full and after a day of changes).
bench: $(STAMP)
	$(PY) bench/endpoints.py
	$(PY) bench/search.py

bench-all: bench
	@for f in bench/dashboard.py bench/summary.py bench/customers.py bench/sales_bench.py bench/commission_bench.py bench/reminders.py; do \
	  echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var test-artifacts
