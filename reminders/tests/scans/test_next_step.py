"""Next step: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest

from customers.tests.factories import ContactLogFactory
from reminders.models import ReminderKind

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_next_step_reminds_the_owner_lead_days_before():
    log = ContactLogFactory(next_step="send the quotation", next_step_date=dt.date(2026, 5, 10))
    assert scan(at(2026, 5, 8), ReminderKind.NEXT_STEP) == []
    [r] = scan(at(2026, 5, 9), ReminderKind.NEXT_STEP)
    assert r.owner == log.customer.owner
    assert r.due_on == dt.date(2026, 5, 10)
    assert r.customer == log.customer
    # the next step is moved: a new reminder for the new date
    log.next_step_date = dt.date(2026, 5, 20)
    log.save()
    assert len(scan(at(2026, 5, 19), ReminderKind.NEXT_STEP)) == 2


def test_next_step_without_text_is_ignored():
    ContactLogFactory(next_step="", next_step_date=dt.date(2026, 5, 10))
    assert scan(at(2026, 5, 10), ReminderKind.NEXT_STEP) == []
