"""Card-filing deadline (次月10日前): "due" is the last on-time day; the 10th is on time, the 11th late."""

import datetime as dt

import pytest

from accounts.tests.factories import ManagerFactory
from customers import rules, selectors
from customers.models import FilingPolicy

pytestmark = pytest.mark.django_db


def test_due_is_the_tenth_of_the_following_month():
    assert selectors.filing_due_date(dt.date(2026, 6, 1)) == dt.date(2026, 7, 10)
    assert selectors.filing_due_date(dt.date(2026, 12, 15)) == dt.date(2027, 1, 10)


def test_filing_on_the_tenth_is_on_time_on_the_eleventh_late():
    due = rules.card_filing_due(dt.date(2026, 6, 1))
    assert not rules.card_filing_late(filed_on=dt.date(2026, 7, 10), due=due)
    assert rules.card_filing_late(filed_on=dt.date(2026, 7, 11), due=due)


def test_unfiled_unit_is_overdue_from_the_eleventh_only():
    manager = ManagerFactory()
    assert selectors.overdue_filings(today=dt.date(2026, 7, 10)) == []
    assert [u for u, _m in selectors.overdue_filings(today=dt.date(2026, 7, 11))] == [manager.unit]
    [row] = selectors.filing_overview(user=manager, month=dt.date(2026, 6, 1), today=dt.date(2026, 7, 10))
    assert not row.overdue
    [row] = selectors.filing_overview(user=manager, month=dt.date(2026, 6, 1), today=dt.date(2026, 7, 11))
    assert row.overdue


def test_filing_day_is_a_policy_value():
    FilingPolicy.objects.create(effective_from=dt.date(2020, 1, 1), filing_day=15)
    assert selectors.filing_due_date(dt.date(2026, 6, 1)) == dt.date(2026, 7, 15)
    assert selectors.overdue_filings(today=dt.date(2026, 7, 15)) == []
