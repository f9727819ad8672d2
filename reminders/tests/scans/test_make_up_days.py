"""The Monday after a make-up working Saturday (補班): Taiwan worked Saturday 2023-02-18 for the Monday 2023-02-27
bridge holiday. The Saturday is a working day with its own report; Monday is an ordinary working day again, and the
bridge Monday a week later is a holiday. Times are Asia/Taipei."""

import datetime as dt

import pytest

from accounts.tests.factories import SalespersonFactory
from reminders.models import ReminderKind
from reports.calendar import WorkingCalendar, report_deadline
from reports.models import CalendarDay, DailyReport

from .support import at, scan

pytestmark = pytest.mark.django_db

SATURDAY = dt.date(2023, 2, 18)
MONDAY = dt.date(2023, 2, 20)
BRIDGE = dt.date(2023, 2, 27)


@pytest.fixture
def make_up_calendar():
    CalendarDay.objects.create(date=SATURDAY, is_working=True, name="補班")
    CalendarDay.objects.create(date=BRIDGE, is_working=False, name="調整放假")


def test_working_days_around_a_make_up_saturday(make_up_calendar):
    calendar = WorkingCalendar(dt.date(2023, 2, 13), dt.date(2023, 2, 28))
    days = calendar.working_days()
    assert SATURDAY in days and MONDAY in days and BRIDGE not in days
    assert dt.date(2023, 2, 19) not in days  # the Sunday stays a day off
    assert len(days) == 5 + 1 + 5 + 1  # Mon-Fri, the make-up Saturday, Mon-Fri, then only Tuesday the 28th
    assert report_deadline(SATURDAY).isoformat() == "2023-02-19T10:00:00+08:00"


def test_monday_after_a_make_up_saturday_reminds_only_monday(make_up_calendar):
    person = SalespersonFactory()
    [saturday] = scan(at(2023, 2, 18, 18, 30), ReminderKind.DAILY_REPORT)
    assert saturday.owner == person and saturday.due_on == SATURDAY
    DailyReport.objects.create(author=person, unit=person.unit, date=MONDAY, submitted_at=at(2023, 2, 20, 17))
    other = SalespersonFactory()
    rows = scan(at(2023, 2, 20, 18, 30), ReminderKind.DAILY_REPORT)
    # Saturday's report is locked since Sunday 10:00: no new reminder for it; Monday's goes to whoever has none.
    assert [(r.owner, r.due_on) for r in rows] == [(person, SATURDAY), (other, MONDAY)]
    assert scan(at(2023, 2, 27, 18, 30), ReminderKind.DAILY_REPORT) == rows  # the bridge Monday is a holiday
