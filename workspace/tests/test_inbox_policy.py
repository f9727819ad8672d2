"""The inbox asks the GM office to review the managers' own daily reports, and its look-back is a policy value."""

import datetime as dt

import pytest
from django.utils import timezone

from customers.tests.factories import ContactLogFactory, CustomerFactory
from reminders.preferences import reminder_settings_update
from reports.tests.factories import DailyReportFactory
from workspace.inbox import inbox_count, inbox_items

pytestmark = pytest.mark.django_db


def _kinds(user):
    return [i.kind for i in inbox_items(user=user)]


def test_a_managers_daily_report_waits_for_the_gm_office(salesperson, manager, gm):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    DailyReportFactory(author=salesperson, date=yesterday)  # the manager's to review, not the GM office's
    own = DailyReportFactory(author=manager, date=yesterday)
    assert _kinds(gm) == ["daily_report"] and inbox_count(user=gm) == 1
    assert _kinds(manager) == ["daily_report"]  # their salesperson's; never their own
    from reports.services.daily_reports import daily_report_review

    daily_report_review(report=own, actor=gm)
    assert _kinds(gm) == [] and inbox_count(user=gm) == 0


def test_the_next_step_look_back_follows_the_reminder_settings(salesperson, admin_user):
    today = timezone.localdate()
    customer = CustomerFactory(owner=salesperson)
    ContactLogFactory(
        customer=customer, author=salesperson, next_step="Call back", next_step_date=today - dt.timedelta(days=20)
    )
    assert _kinds(salesperson) == []  # 20 days ago: beyond the default catch-up window of 14 days
    reminder_settings_update(actor=admin_user, catch_up_days=30)
    assert _kinds(salesperson) == ["next_step"] and inbox_count(user=salesperson) == 1


def test_reports_older_than_the_look_back_are_not_chased(salesperson, manager, admin_user):
    DailyReportFactory(author=salesperson, date=timezone.localdate() - dt.timedelta(days=20))
    assert _kinds(manager) == [] and inbox_count(user=manager) == 0
    reminder_settings_update(actor=admin_user, catch_up_days=30)
    assert _kinds(manager) == ["daily_report"] and inbox_count(user=manager) == 1
