"""Membership renewal: the owner is reminded before a member customer's renewal date, once per renewal date, in
their language; a renewed membership closes the reminder. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest
import time_machine

from customers.models import Customer, MemberLevel
from customers.tests.factories import CustomerFactory
from reminders.models import Notification, ReminderKind, ReminderSettings, ReminderState
from reminders.scans import scan_all as reminders_scan
from reminders.sender import reminders_send_due

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_the_owner_is_reminded_once_before_the_renewal_date_in_their_language(salesperson):
    salesperson.language = "zh-hant"
    salesperson.save(update_fields=["language"])
    gold = MemberLevel.objects.create(name="金卡")
    member = CustomerFactory(owner=salesperson, tier="member", member_level=gold, member_renews_on=dt.date(2026, 7, 31))
    CustomerFactory(owner=salesperson, tier="member", member_level=gold)  # no renewal date: never reminded
    CustomerFactory(owner=salesperson, tier="member", member_level=gold, member_renews_on=dt.date(2026, 6, 30))
    assert ReminderSettings.load().membership_renewal_lead_days == 30
    assert scan(at(2026, 6, 30), ReminderKind.MEMBERSHIP_RENEWAL)[0].customer_id != member.pk  # only the other
    rows = scan(at(2026, 7, 1), ReminderKind.MEMBERSHIP_RENEWAL)
    [r] = [x for x in rows if x.customer_id == member.pk]
    assert (r.owner, r.due_on, r.params["level"]) == (salesperson, dt.date(2026, 7, 31), "金卡")
    with time_machine.travel(at(2026, 7, 1, 10, 5), tick=False):
        reminders_send_due()
        reminders_scan(kinds=[ReminderKind.MEMBERSHIP_RENEWAL])
        reminders_send_due()
    notes = [n for n in Notification.objects.filter(user=salesperson) if "2026-07-31" in n.title]
    assert len(notes) == 1 and "會籍" in notes[0].title


def test_a_renewed_membership_closes_the_reminder_and_the_next_renewal_is_reminded_again(salesperson):
    member = CustomerFactory(
        owner=salesperson, tier="member", member_level="金卡", member_renews_on=dt.date(2026, 7, 31)
    )
    [r] = scan(at(2026, 7, 10), ReminderKind.MEMBERSHIP_RENEWAL)
    Customer.objects.filter(pk=member.pk).update(member_renews_on=dt.date(2027, 7, 31))
    scan(at(2026, 7, 11), ReminderKind.MEMBERSHIP_RENEWAL)
    r.refresh_from_db()
    assert r.state == ReminderState.DONE
    rows = scan(at(2027, 7, 5), ReminderKind.MEMBERSHIP_RENEWAL)
    assert [x.due_on for x in rows] == [dt.date(2026, 7, 31), dt.date(2027, 7, 31)]
