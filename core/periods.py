"""Pure date helpers: periods (year, quarter, month, week) and month arithmetic. No ORM.

The one home of month arithmetic: every app calls these rather than writing `replace(day=1)`,
`timedelta(days=32)` or `divmod(..., 12)` again.
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def normalise_start(period_type: str, day: dt.date) -> dt.date:
    """The first day of the period of `period_type` containing `day`."""
    return {"year": year_start, "quarter": quarter_start, "month": month_start, "week": week_start}[period_type](day)


def parse_period(period_type: object, start: object, *, today: dt.date) -> tuple[str, dt.date]:
    """A period from request input: its type (year, quarter or month; anything else is the month) and the first day
    of the period containing `start`, an ISO date (today when missing or malformed). Never raises."""
    kind = period_type if period_type in ("year", "quarter", "month") else "month"
    try:
        day = dt.date.fromisoformat(start) if start else today  # type: ignore[arg-type]
    except (TypeError, ValueError):
        day = today
    return str(kind), normalise_start(str(kind), day)


def period_bounds(period_type: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the period that starts at `start`."""
    start = normalise_start(period_type, start)
    if period_type == "week":
        return start, start + dt.timedelta(days=6)
    months = {"year": 12, "quarter": 3, "month": 1}[period_type]
    return start, add_months(start, months) - dt.timedelta(days=1)


def months_in(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months from start's month to end's month, inclusive."""
    out, cur = [], month_start(start)
    while cur <= end:
        out.append(cur)
        cur = add_months(cur, 1)
    return out


def period_label(period_type: str, start: dt.date) -> str:
    if period_type == "year":
        return f"{start.year}"
    if period_type == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if period_type == "week":
        return f"{start:%Y-%m-%d}"
    return f"{start:%Y-%m}"
