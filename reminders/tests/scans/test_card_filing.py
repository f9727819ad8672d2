"""Customer-card filing: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest
import time_machine

from accounts.tests.factories import ManagerFactory
from reminders.models import ReminderKind
from reminders.scans import scan_all as reminders_scan

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_monthly_card_filing_before_the_tenth():
    manager = ManagerFactory()
    assert scan(at(2026, 7, 6), ReminderKind.CARD_FILING) == []
    [r] = scan(at(2026, 7, 7), ReminderKind.CARD_FILING)
    assert r.owner == manager
    assert r.due_on == dt.date(2026, 7, 10)
    assert scan(at(2026, 7, 9), ReminderKind.CARD_FILING) == [r]
    assert len(scan(at(2026, 8, 8), ReminderKind.CARD_FILING)) == 2
    assert len(scan(at(2026, 8, 11), ReminderKind.CARD_FILING)) == 2


def test_card_filing_reminds_only_units_that_have_not_filed():
    from customers.services import monthly_filing_file

    diligent_mgr = ManagerFactory()
    late_mgr = ManagerFactory()
    with time_machine.travel(at(2026, 7, 3), tick=False):
        monthly_filing_file(unit=diligent_mgr.unit, month=dt.date(2026, 6, 1), actor=diligent_mgr)
    [r] = scan(at(2026, 7, 7), ReminderKind.CARD_FILING)
    assert r.owner == late_mgr
    assert r.params["month"] == "2026-06"
    assert r.due_on == dt.date(2026, 7, 10)  # customers.selectors.filing_due_date: the last day on time


def test_card_filing_reminder_closes_when_the_unit_files_and_is_not_sent():
    from customers.services import monthly_filing_file
    from reminders.models import ReminderState
    from reminders.sender import reminders_send_due

    manager = ManagerFactory()
    [r] = scan(at(2026, 7, 8), ReminderKind.CARD_FILING)
    with time_machine.travel(at(2026, 7, 8, 11), tick=False):
        monthly_filing_file(unit=manager.unit, month=dt.date(2026, 6, 1), actor=manager)
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.CARD_FILING])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE


def test_card_filing_overdue_unit_missed_before_the_deadline_is_reminded_once():
    manager = ManagerFactory()
    assert scan(at(2026, 7, 6), ReminderKind.CARD_FILING) == []  # before the lead window
    # first scan after the deadline (e.g. an outage): the unit is overdue (customers.selectors.overdue_filings)
    [r] = scan(at(2026, 7, 12), ReminderKind.CARD_FILING)
    assert r.owner == manager and r.due_on == dt.date(2026, 7, 10)
    assert scan(at(2026, 7, 13), ReminderKind.CARD_FILING) == [r]
