"""Reorder: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest

from customers.tests.factories import CustomerFactory
from reminders.models import Audience, Reminder, ReminderKind
from reminders.tests.factories import PreferenceFactory, purchase
from sales.tests.factories import ProductFactory

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_reorder_reminds_salesperson_and_opted_in_customer():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):  # every 41 days
        purchase(customer, product, d)
    PreferenceFactory(customer=customer)
    # expected 2026-12-12, reminder 7 days before
    assert scan(at(2026, 12, 4), ReminderKind.REORDER) == []
    rows = scan(at(2026, 12, 5), ReminderKind.REORDER)
    assert {r.audience for r in rows} == {Audience.STAFF, Audience.CUSTOMER}
    staff = next(r for r in rows if r.audience == Audience.STAFF)
    assert staff.owner == customer.owner
    assert staff.due_on == dt.date(2026, 12, 12)
    assert staff.params["interval_days"] == 41
    customer_msg = next(r for r in rows if r.audience == Audience.CUSTOMER)
    assert customer_msg.send_after == at(2026, 12, 5)


def test_reorder_scanned_at_night_waits_for_the_end_of_quiet_hours():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):
        purchase(customer, product, d)
    PreferenceFactory(customer=customer)
    rows = scan(at(2026, 12, 5, 22, 30), ReminderKind.REORDER)
    customer_msg = next(r for r in rows if r.audience == Audience.CUSTOMER)
    assert customer_msg.send_after == at(2026, 12, 6, 8, 0)


def test_reorder_not_for_customer_without_opt_in_or_lapsed():
    customer = CustomerFactory(status="active")
    product = ProductFactory()
    for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):
        purchase(customer, product, d)
    PreferenceFactory(customer=customer, opted_in=False)
    rows = scan(at(2026, 12, 5), ReminderKind.REORDER)
    assert [r.audience for r in rows] == [Audience.STAFF]
    lapsed = CustomerFactory(status="active")
    for d in (dt.date(2025, 8, 11), dt.date(2025, 9, 21)):
        purchase(lapsed, product, d)
    assert not Reminder.objects.filter(customer=lapsed).exists()


def test_a_member_levels_own_lead_days_replace_the_settings_for_its_customers():
    from customers.models import MemberLevel

    MemberLevel.objects.create(name="金卡", reorder_lead_days=14)
    member = CustomerFactory(status="active", tier="member", member_level="金卡")
    ordinary = CustomerFactory(status="active")
    product = ProductFactory()
    for customer in (member, ordinary):
        for d in (dt.date(2026, 8, 11), dt.date(2026, 9, 21), dt.date(2026, 11, 1)):  # expected 2026-12-12
            purchase(customer, product, d)
    assert scan(at(2026, 11, 27), ReminderKind.REORDER) == []  # 15 days ahead: nobody yet
    rows = scan(at(2026, 11, 28), ReminderKind.REORDER)  # 14 days ahead: the member only
    assert {r.customer_id for r in rows} == {member.pk}
    assert rows[0].due_on == dt.date(2026, 12, 12)
    rows = scan(at(2026, 12, 5), ReminderKind.REORDER)  # 7 days ahead (the settings): the ordinary customer too
    assert sorted(r.customer_id for r in rows) == sorted([member.pk, ordinary.pk])  # the member's only once
