"""Pool release warning: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest
import time_machine

from customers.tests.factories import ContactLogFactory, CustomerFactory
from reminders.models import Reminder, ReminderKind
from reminders.scans import scan_all as reminders_scan

from .support import at, scan

pytestmark = pytest.mark.django_db


def _idle_customer(owner, *, since):
    from customers.models import Customer

    customer = CustomerFactory(owner=owner, status="active")
    Customer.objects.filter(pk=customer.pk).update(owned_since=since)
    return customer


def test_pool_release_warning_notifies_the_owner_once_with_the_release_date(salesperson):
    from customers.services import pool_sweep
    from reminders.models import Notification
    from reminders.sender import reminders_send_due

    customer = _idle_customer(salesperson, since=at(2026, 1, 1))
    # customers app: warned after idle - warning days (90 - 7), released warning_days (7) later
    with time_machine.travel(at(2026, 3, 26, 2, 30), tick=False):
        assert pool_sweep().warned == 1
    [r] = scan(at(2026, 3, 26, 3, 0), ReminderKind.POOL_RELEASE)
    assert r.owner == salesperson and r.customer == customer
    assert r.params["release_on"] == "2026-04-02"
    assert r.due_on == dt.date(2026, 4, 2)
    with time_machine.travel(at(2026, 3, 26, 9, 0), tick=False):
        assert reminders_send_due() == {"sent": 1}
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
        assert reminders_send_due() == {}
        pool_sweep()  # the nightly sweep again: still warned, no second warning
    assert scan(at(2026, 3, 30), ReminderKind.POOL_RELEASE) == [r]
    [note] = Notification.objects.filter(user=salesperson)
    assert "2026-04-02" in note.title


def test_pool_release_reminder_closes_when_the_owner_logs_a_contact(salesperson):
    from customers.services import pool_sweep
    from reminders.models import ReminderState
    from reminders.sender import reminders_send_due

    customer = _idle_customer(salesperson, since=at(2026, 1, 1))
    with time_machine.travel(at(2026, 3, 26, 2, 30), tick=False):
        pool_sweep()
    [r] = scan(at(2026, 3, 26, 3, 0), ReminderKind.POOL_RELEASE)
    ContactLogFactory(customer=customer, author=salesperson, happened_at=at(2026, 3, 26, 8))
    with time_machine.travel(at(2026, 3, 27, 2, 30), tick=False):
        pool_sweep()  # clears the warning
        assert reminders_send_due() == {"cancelled": 1}
        reminders_scan(kinds=[ReminderKind.POOL_RELEASE])
    r.refresh_from_db()
    assert r.state == ReminderState.DONE
    assert Reminder.objects.filter(kind=ReminderKind.POOL_RELEASE).count() == 1


def test_pool_release_warnings_of_other_owners_and_old_warnings_are_not_reminded(salesperson, other_salesperson):
    from customers.models import OwnershipEvent, OwnershipEventKind

    mine = _idle_customer(salesperson, since=at(2026, 1, 1))
    OwnershipEvent.objects.create(
        customer=mine,
        kind=OwnershipEventKind.WARN,
        from_owner=other_salesperson,
        to_owner=other_salesperson,  # warned while someone else owned it
        created_at=at(2026, 3, 26, 2, 30),
    )
    assert scan(at(2026, 3, 26, 3), ReminderKind.POOL_RELEASE) == []  # no current warning on the card either
