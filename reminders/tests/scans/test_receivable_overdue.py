"""Receivable overdue: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from reminders.models import ReminderKind, ReminderSettings
from reminders.scans import scan_all as reminders_scan
from reminders.tests.factories import PaymentFactory, ShipmentFactory
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_receivable_turning_overdue():
    cfg = ReminderSettings.load()
    cfg.receivable_terms_days = 30
    cfg.save()
    owing = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=owing, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=owing, amount=Decimal("500.00"))
    paid = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=paid, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=paid, amount=Decimal("900.00"))
    # The receivables module: due 2 months after shipping (7-10), overdue from the next day (the rule book;
    # the old 30-day rule made it overdue on 6-10).
    assert scan(at(2026, 7, 10), ReminderKind.RECEIVABLE_OVERDUE) == []  # due on 7-10, not yet overdue
    [r] = scan(at(2026, 7, 11), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.subject_id == owing.pk
    assert r.params["outstanding"] == "400.00"
    assert r.due_on == dt.date(2026, 7, 10)


def test_receivable_overdue_follows_the_receivables_module_per_shipment():
    # receivables.rules: each shipment's value less its retention share is due 2 months after its shipping date,
    # payments clear the oldest shipment first, and it is overdue from the day after.
    contract = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
    )
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10), amount=Decimal("500.00"))  # 450 due
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 20), amount=Decimal("500.00"))  # 450 due
    PaymentFactory(contract=contract, amount=Decimal("450.00"))  # clears the first shipment only
    assert scan(at(2026, 7, 11), ReminderKind.RECEIVABLE_OVERDUE) == []  # the paid shipment is not overdue
    assert scan(at(2026, 7, 20), ReminderKind.RECEIVABLE_OVERDUE) == []  # second shipment: due today
    [r] = scan(at(2026, 7, 21), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 7, 20)
    assert r.params["outstanding"] == "450.00"
    assert scan(at(2026, 7, 22), ReminderKind.RECEIVABLE_OVERDUE) == [r]  # once


def test_receivable_overdue_ignores_the_reminders_terms_setting_and_reminds_overdue_retention():
    cfg = ReminderSettings.load()
    cfg.receivable_terms_days = 5  # no longer read: the receivables module decides
    cfg.save()
    contract = ContractFactory(
        status=ContractStatus.FILED,
        signed_on=dt.date(2026, 5, 1),
        amount=Decimal("1000.00"),
        retention_amount=Decimal("100.00"),
        retention_due_on=dt.date(2026, 6, 30),
    )
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10))
    PaymentFactory(contract=contract, amount=Decimal("900.00"))  # everything but the retention
    assert scan(at(2026, 5, 20), ReminderKind.RECEIVABLE_OVERDUE) == []
    assert scan(at(2026, 6, 30), ReminderKind.RECEIVABLE_OVERDUE) == []  # retention due today
    [r] = scan(at(2026, 7, 1), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.due_on == dt.date(2026, 6, 30)
    assert r.params["outstanding"] == "100.00" and r.params["retention"] is True


def test_receivable_reminder_closes_when_the_overdue_part_is_paid_even_if_newer_value_is_open():
    from reminders.models import ReminderState
    from reminders.sender import reminders_send_due

    contract = ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 5, 1), amount=Decimal("1000.00"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 5, 10), amount=Decimal("400.00"))
    ShipmentFactory(contract=contract, shipped_on=dt.date(2026, 6, 5), amount=Decimal("600.00"))
    [r] = scan(at(2026, 7, 11), ReminderKind.RECEIVABLE_OVERDUE)
    assert r.params["outstanding"] == "400.00"
    PaymentFactory(contract=contract, amount=Decimal("400.00"))  # the 600 shipped on 6-5 is not yet overdue
    with time_machine.travel(at(2026, 7, 12), tick=False):
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.RECEIVABLE_OVERDUE])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE
