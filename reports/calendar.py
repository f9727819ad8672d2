"""The working-day calendar: the report policy's working week, corrected by CalendarDay holidays and make-up days.

The report cut-off of a unit's salespeople is the unit's own (`UnitReportPolicy`, approved by the GM office, in force
from its date) where it sets one, else the company's (`ReportPolicy`); the working week and holidays are the
company's."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Max

from accounts.unit_policy import overlay

from .models import CalendarDay, ReportPolicy, UnitReportPolicy

DEFAULT_POLICY = ReportPolicy(
    effective_from=dt.date(2000, 1, 1),
    cutoff_days=1,
    cutoff_time=dt.time(10, 0),
    working_weekdays="01234",
)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def with_unit_rules(policy: ReportPolicy, unit: UnitReportPolicy | None) -> ReportPolicy:
    """The company's policy with the unit's own cut-off laid over it (an unsaved copy; the same row without one)."""
    if unit is None or not unit.overrides():
        return policy
    return ReportPolicy(
        effective_from=max(policy.effective_from, unit.effective_from),
        working_weekdays=policy.working_weekdays,
        **overlay(policy, unit, UnitReportPolicy.OVERRIDES),
    )


def policy_for(day: dt.date, unit_id: int | None = None) -> ReportPolicy:
    """The policy in force on `day` for the salespeople of `unit_id`: the unit's approved cut-off over the
    company's (one query, two with a unit)."""
    company = ReportPolicy.objects.in_force(day) or DEFAULT_POLICY
    return with_unit_rules(company, UnitReportPolicy.objects.in_force(unit_id=unit_id, on=day))


def units_with_own_cutoff(on: dt.date) -> list[int]:
    """Units with an approved cut-off of their own effective by `on` (one query)."""
    return sorted(
        set(UnitReportPolicy.objects.approved().filter(effective_from__lte=on).values_list("unit_id", flat=True))
    )


def longest_cutoff_days() -> int:
    """The longest cut-off (days after the report date) of any company or approved unit policy, the default's
    included: how far back a report may still change."""
    company = ReportPolicy.objects.aggregate(m=Max("cutoff_days"))["m"] or 0
    units = UnitReportPolicy.objects.approved().aggregate(m=Max("cutoff_days"))["m"] or 0
    return max(company, units, DEFAULT_POLICY.cutoff_days)


def report_deadline(day: dt.date, policy: ReportPolicy | None = None) -> dt.datetime:
    """The moment after which the report of `day` is locked (aware, in the company's time zone)."""
    policy = policy or policy_for(day)
    local = dt.datetime.combine(day + dt.timedelta(days=policy.cutoff_days), policy.cutoff_time)
    return local.replace(tzinfo=local_tz())


@lru_cache(maxsize=128)
def _weekday_set(working_weekdays: str) -> frozenset[int]:
    """ReportPolicy.weekday_set of a policy's `working_weekdays` (worked out once per distinct value)."""
    return frozenset(int(c) for c in working_weekdays)


class WorkingCalendar:
    """Working days between two dates, loaded in two queries whatever the length of the range."""

    def __init__(self, start: dt.date, end: dt.date, unit_id: int | None = None):
        """`unit_id`: the cut-off of that unit's salespeople (its approved rules over the company's; one more
        query)."""
        self.start, self.end = start, end
        policies = list(ReportPolicy.objects.filter(effective_from__lte=end).order_by("effective_from"))
        self._policies = policies or [DEFAULT_POLICY]
        self._unit_rules: list[UnitReportPolicy] = (
            list(
                UnitReportPolicy.objects.approved()
                .filter(unit_id=unit_id, effective_from__lte=end)
                .order_by("effective_from", "id")
            )
            if unit_id is not None
            else []
        )
        self._overrides = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_working")
        )
        self._days: list[dt.date] | None = None  # the working days of the whole range, worked out once

    def policy_on(self, day: dt.date) -> ReportPolicy:
        current = self._policies[0]
        for policy in self._policies:
            if policy.effective_from <= day:
                current = policy
            else:
                break
        own = [u for u in self._unit_rules if u.effective_from <= day]
        return with_unit_rules(current, own[-1] if own else None)

    def constant_policy(self) -> ReportPolicy | None:
        """The policy in force on every day of the range, or None when one takes effect within it."""
        changes = [p.effective_from for p in self._policies] + [u.effective_from for u in self._unit_rules]
        if any(self.start < day <= self.end for day in changes):
            return None
        return self.policy_on(self.start)

    def is_working(self, day: dt.date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        return day.weekday() in _weekday_set(self.policy_on(day).working_weekdays)

    def working_days(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dt.date]:
        """The working days from `start` to `end` (within the calendar's range), in order: a slice of the range's
        working days, which are worked out once per calendar (a dashboard asks for several periods of one year)."""
        start = max(start or self.start, self.start)
        end = min(end or self.end, self.end)
        if self._days is None:
            days, day = [], self.start
            while day <= self.end:
                if self.is_working(day):
                    days.append(day)
                day += dt.timedelta(days=1)
            self._days = days
        return self._days[bisect_left(self._days, start) : bisect_right(self._days, end)]
