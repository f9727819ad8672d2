"""Missing daily report: due dates with time travel. Times are Asia/Taipei (UTC+8)."""

import datetime as dt

import pytest
import time_machine

from accounts.tests.factories import SalespersonFactory
from reminders.models import ReminderKind
from reports.models import DailyReport

from .support import at, scan

pytestmark = pytest.mark.django_db


def test_daily_report_missing_at_end_of_working_day():
    late = SalespersonFactory()
    diligent = SalespersonFactory()
    draft_only = SalespersonFactory()
    day = dt.date(2026, 4, 15)  # a Wednesday
    DailyReport.objects.create(author=diligent, unit=diligent.unit, date=day, submitted_at=at(2026, 4, 15, 17))
    DailyReport.objects.create(author=draft_only, unit=draft_only.unit, date=day)
    assert scan(at(2026, 4, 15, 17, 59), ReminderKind.DAILY_REPORT) == []
    rows = scan(at(2026, 4, 15, 18, 0), ReminderKind.DAILY_REPORT)
    assert {r.owner for r in rows} == {late, draft_only}
    assert scan(at(2026, 4, 18, 18, 30), ReminderKind.DAILY_REPORT) == rows  # Saturday: nothing new


def test_daily_report_follows_the_reports_calendar_holidays_and_make_up_days():
    from reports.models import CalendarDay

    person = SalespersonFactory()
    CalendarDay.objects.create(date=dt.date(2026, 4, 15), is_working=False, name="holiday")  # a Wednesday
    CalendarDay.objects.create(date=dt.date(2026, 4, 18), is_working=True, name="make-up day")  # a Saturday
    assert scan(at(2026, 4, 15, 18, 30), ReminderKind.DAILY_REPORT) == []
    [r] = scan(at(2026, 4, 18, 18, 30), ReminderKind.DAILY_REPORT)
    assert r.owner == person and r.due_on == dt.date(2026, 4, 18)
    assert r.params["deadline"].startswith("2026-04-19T10:00")  # reports.calendar.report_deadline


def test_daily_report_reminder_comes_before_the_reports_deadline_never_after():
    from reports.models import ReportPolicy

    person = SalespersonFactory()
    # same-day cut-off at 17:00: reminded an hour before, i.e. 16:00, not at 18:00
    ReportPolicy.objects.create(
        effective_from=dt.date(2026, 1, 1), cutoff_days=0, cutoff_time=dt.time(17, 0), working_weekdays="01234"
    )
    assert scan(at(2026, 4, 15, 15, 59), ReminderKind.DAILY_REPORT) == []
    [r] = scan(at(2026, 4, 15, 16, 0), ReminderKind.DAILY_REPORT)
    assert r.owner == person
    # a scan that first runs after the deadline (outage) does not remind: the report is locked
    assert scan(at(2026, 4, 16, 17, 0), ReminderKind.DAILY_REPORT) == [r]


def test_daily_report_of_friday_is_still_reminded_saturday_morning_before_the_cut_off():
    person = SalespersonFactory()
    [r] = scan(at(2026, 4, 18, 9, 0), ReminderKind.DAILY_REPORT)  # default cut-off: next day 10:00
    assert r.owner == person and r.due_on == dt.date(2026, 4, 17)
    assert scan(at(2026, 4, 18, 10, 0), ReminderKind.DAILY_REPORT) == [r]


def test_daily_report_reminder_not_sent_after_the_deadline():
    from reminders.sender import reminders_send_due

    SalespersonFactory()
    scan(at(2026, 4, 15, 18, 0), ReminderKind.DAILY_REPORT)
    with time_machine.travel(at(2026, 4, 16, 10, 1), tick=False):
        assert reminders_send_due() == {"cancelled": 1}
