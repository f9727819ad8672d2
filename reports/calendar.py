"""The working-day calendar: the report policy's working week, corrected by CalendarDay holidays and make-up days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import CalendarDay, ReportPolicy

DEFAULT_POLICY = ReportPolicy(
    effective_from=dt.date(2000, 1, 1),
    cutoff_days=1,
    cutoff_time=dt.time(10, 0),
    working_weekdays="01234",
)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def policy_for(day: dt.date) -> ReportPolicy:
    """The policy in force on `day` (one query)."""
    return ReportPolicy.objects.in_force(day) or DEFAULT_POLICY


def report_deadline(day: dt.date, policy: ReportPolicy | None = None) -> dt.datetime:
    """The moment after which the report of `day` is locked (aware, in the company's time zone)."""
    policy = policy or policy_for(day)
    local = dt.datetime.combine(day + dt.timedelta(days=policy.cutoff_days), policy.cutoff_time)
    return local.replace(tzinfo=local_tz())


class WorkingCalendar:
    """Working days between two dates, loaded in two queries whatever the length of the range."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start, self.end = start, end
        policies = list(ReportPolicy.objects.filter(effective_from__lte=end).order_by("effective_from"))
        self._policies = policies or [DEFAULT_POLICY]
        self._overrides = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working")
        )

    def policy_on(self, day: dt.date) -> ReportPolicy:
        current = self._policies[0]
        for policy in self._policies:
            if policy.effective_from <= day:
                current = policy
            else:
                break
        return current

    def is_working(self, day: dt.date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() in self.policy_on(day).weekday_set

    def working_days(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
        start = max(start or self.start, self.start)
        end = min(end or self.end, self.end)
        days, day = [], start
        while day <= end:
            if self.is_working(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days
