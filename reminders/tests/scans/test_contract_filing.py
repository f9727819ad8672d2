"""Contract not filed: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest
import time_machine

from customers.tests.factories import CustomerFactory
from reminders.models import ReminderKind, ReminderSettings
from sales.models import ContractStatus
from sales.tests.factories import ContractFactory

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_contract_not_filed_within_three_days():
    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 4)
    )
    ContractFactory(status=ContractStatus.FILED, signed_on=dt.date(2026, 6, 1))
    assert scan(at(2026, 6, 4), ReminderKind.CONTRACT_FILING) == []
    [r] = scan(at(2026, 6, 5), ReminderKind.CONTRACT_FILING)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 6, 4)


def test_contract_filing_follows_the_sales_deadline_not_a_fixed_three_days():
    # The sales app owns the deadline (filing_due_on, from the sales policy when signed): a 5-day deadline
    # is not overdue on day 4, and a reminders setting of 3 days changes nothing.
    cfg = ReminderSettings.load()
    cfg.contract_filing_days = 3
    cfg.save()
    contract = ContractFactory(
        status=ContractStatus.SIGNED, signed_on=dt.date(2026, 6, 1), filing_due_on=dt.date(2026, 6, 6)
    )
    assert scan(at(2026, 6, 5), ReminderKind.CONTRACT_FILING) == []
    assert scan(at(2026, 6, 6), ReminderKind.CONTRACT_FILING) == []  # due today: not yet overdue
    [r] = scan(at(2026, 6, 7), ReminderKind.CONTRACT_FILING)
    assert r.subject_id == contract.pk
    assert r.due_on == dt.date(2026, 6, 6)
    assert r.params["filing_due_on"] == "2026-06-06"
    assert r.params["days"] == 5


def test_contract_signed_through_the_sales_service_gets_the_reminder(salesperson):
    from sales.selectors import contracts_filing_overdue
    from sales.services import contract_sign

    contract = ContractFactory(customer=CustomerFactory(owner=salesperson), status=ContractStatus.APPROVED)
    with time_machine.travel(at(2026, 6, 1), tick=False):
        contract_sign(actor=salesperson, contract=contract)
    contract.refresh_from_db()
    due = contract.filing_due_on
    assert due is not None and due > dt.date(2026, 6, 1)
    assert scan(at(due.year, due.month, due.day), ReminderKind.CONTRACT_FILING) == []
    later = due + dt.timedelta(days=1)
    [r] = scan(at(later.year, later.month, later.day), ReminderKind.CONTRACT_FILING)
    assert list(contracts_filing_overdue(today=later)) == [contract]
    assert r.due_on == due and r.owner == salesperson
