"""Fixtures shared by every app's tests."""

import fnmatch
import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from accounts.tests.factories import (
    AdminFactory,
    FinanceFactory,
    GMFactory,
    ManagerFactory,
    SalespersonFactory,
    SalesUnitFactory,
)
from tests.support import clock

# CI runs the property tests on a fixed sequence of examples, so a red run can be reproduced exactly.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get(clock.ENV) or None,
        help="run the suite as if today were this date (YYYY-MM-DD, or YYYY-MM-DDTHH:MM in Asia/Taipei); "
        f"the clock ticks from there. Also ${clock.ENV}.",
    )


def pytest_configure(config):
    clock.activate(config.getoption("--today"))


# The date-sensitive test modules: month ends, deadlines (the 10th, 3 days), ageing, pools, working days. They are
# marked `dates` here (a module may also set pytestmark = pytest.mark.dates itself) and `make test-dates` runs them
# again as if today were each of the hard dates. Property-based, concurrency and real-worker tests stay out: they
# take the time and their dates are their own.
DATE_SENSITIVE = (
    "reports/tests/selectors/*",
    "reports/tests/services/*",
    "reports/tests/test_pages_reports.py",
    "reports/tests/test_api_reports.py",
    "reports/tests/test_dashboard_answer_cache.py",
    "reports/tests/test_tasks_reports.py",
    "reports/tests/test_expense_control.py",
    "reports/tests/test_evaluation_review.py",
    "commission/tests/test_worked_examples.py",
    "commission/tests/test_services_closing.py",
    "commission/tests/test_corrections.py",
    "commission/tests/test_pages.py",
    "commission/tests/test_api.py",
    "commission/tests/test_market_fund.py",
    "reminders/tests/scans/*",
    "reminders/tests/test_sender.py",
    "reminders/tests/test_tasks.py",
    "reminders/tests/test_pages.py",
    "customers/tests/test_pool.py",
    "customers/tests/test_services_cards.py",
    "sales/tests/test_selectors_receivables.py",
    "sales/tests/services/test_contracts.py",
    "sales/tests/services/test_returns.py",
    "customers/tests/test_member_levels.py",
    "workspace/tests/test_home_attention.py",
    "workspace/tests/test_inbox_originals.py",
    "field/tests/test_intelligence_leads_export.py",
    "documents/tests/test_filing.py",
    "reminders/tests/test_customer_messages.py",
    "care/tests/*",
    "reports/tests/test_target_split_pickers.py",
    "reports/tests/test_unit_rules.py",
    "commission/tests/test_unit_rules.py",
    "sales/tests/test_unit_rules.py",
    "sales/tests/services/test_quotes.py",
)


def pytest_collection_modifyitems(config, items):
    root = Path(str(config.rootpath))
    for item in items:
        path = Path(str(item.path)).relative_to(root).as_posix()
        if any(fnmatch.fnmatch(path, pattern) for pattern in DATE_SENSITIVE):
            item.add_marker(pytest.mark.dates)


def pytest_unconfigure(config):
    clock.deactivate()


def pytest_report_header(config):
    moment = clock.parse(config.getoption("--today")) if config.getoption("--today") else None
    return f"clock: travelled to {moment.isoformat()} ({moment:%A})" if moment else "clock: real time"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    value = config.getoption("--today")
    label = clock.parse(value).isoformat() if value else "the real today"
    verdict = "passed" if exitstatus == 0 else f"FAILED (exit {int(exitstatus)})"
    terminalreporter.write_line(f"suite as of {label}: {verdict}")


@pytest.fixture(autouse=True)
def _clear_cache():
    """DRF throttles count requests in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def unit():
    return SalesUnitFactory()


@pytest.fixture
def other_unit():
    return SalesUnitFactory()


@pytest.fixture
def salesperson(unit):
    return SalespersonFactory(unit=unit)


@pytest.fixture
def other_salesperson(other_unit):
    return SalespersonFactory(unit=other_unit)


@pytest.fixture
def teammate(unit):
    return SalespersonFactory(unit=unit)


@pytest.fixture
def manager(unit):
    return ManagerFactory(unit=unit)


@pytest.fixture
def gm():
    return GMFactory()


@pytest.fixture
def finance():
    return FinanceFactory()


@pytest.fixture
def admin_user():
    return AdminFactory()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
