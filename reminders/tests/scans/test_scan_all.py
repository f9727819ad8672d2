"""The whole scan: every kind at once, idempotent; open reminders closed by each kind's resolve rule."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.tests.factories import SalespersonFactory
from reminders.models import Reminder, ReminderKind
from reminders.scans import scan_all as reminders_scan
from reminders.tests.factories import PaymentFactory, ShipmentFactory
from reports.models import DailyReport
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

from .support import at

pytestmark = pytest.mark.django_db


def test_two_scans_at_once_create_each_reminder_once():
    for _ in range(5):
        ContractFactory(status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4))
    with time_machine.travel(at(2026, 6, 10), tick=False):
        reminders_scan()
        reminders_scan()
    assert Reminder.objects.filter(kind=ReminderKind.CONTRACT_FILING).count() == 5


def test_open_reminders_close_themselves_when_the_cause_goes_away():
    from reminders.models import ReminderState

    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    still = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    owing = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 4, 1), amount=Decimal("1000.00"))
    ShipmentFactory(contract=owing, shipped_on=dt.date(2026, 4, 9))  # due 2 months later (6-9): overdue on 6-10
    late = SalespersonFactory()
    with time_machine.travel(at(2026, 6, 10, 18, 30), tick=False):
        reminders_scan()
    assert Reminder.objects.filter(state=ReminderState.OPEN, kind=ReminderKind.CONTRACT_FILING).count() == 2
    contract.status = ContractStatus.FILED
    contract.save()
    DailyReport.objects.create(author=late, unit=late.unit, date=dt.date(2026, 6, 10), submitted_at=at(2026, 6, 10, 19))
    PaymentFactory(contract=owing, amount=Decimal("1000.00"))
    with time_machine.travel(at(2026, 6, 10, 19, 30), tick=False):
        result = reminders_scan()
    assert result["resolved"] == 3
    open_filing = Reminder.objects.filter(state=ReminderState.OPEN, kind=ReminderKind.CONTRACT_FILING)
    assert [r.subject_id for r in open_filing] == [still.pk]
    assert Reminder.objects.get(kind=ReminderKind.DAILY_REPORT, owner=late).state == ReminderState.DONE
    assert Reminder.objects.get(kind=ReminderKind.RECEIVABLE_OVERDUE).state == ReminderState.DONE
