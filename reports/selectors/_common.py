"""Helpers shared by the reports selectors: sold statuses, local day ranges, percentages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..calendar import local_tz

SOLD = ["signed", "filed"]
ZERO = Decimal("0")


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(day, dt.time()).replace(tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _dates_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return _day_range(start)[0], _day_range(end)[1]


def pct(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part / whole as a percentage with one decimal, or None when there is no whole."""
    if whole in (None, 0) or part is None:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
