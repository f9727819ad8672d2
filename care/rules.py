"""The care rules as pure functions, their numbers from CarePolicy (see docs/rules.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

DEFAULT_MEMBER_DAYS: tuple[int, ...] = (7, 30, 90)
DEFAULT_ORDINARY_DAYS: tuple[int, ...] = (14,)
DEFAULT_LOW_SCORE = 2
DEFAULT_HOURS: Mapping[str, int] = {"urgent": 24, "high": 72, "normal": 168, "low": 336}


def checkup_offsets(
    *,
    tier: str,
    categories: Iterable[str],
    cadences: Mapping[tuple[str, str], Sequence[int]],
    member_days: Sequence[int],
    ordinary_days: Sequence[int],
    level_days: Sequence[int] = (),
) -> list[int]:
    """Days after a delivery on which the customer is asked how it goes (定期複查): the union of the delivered
    categories' own cadences for the customer's tier, or else the member level's own cadence (a benefit the admin
    sets per level), or else the tier's default."""
    tier_key = "member" if tier == "member" else "ordinary"
    days: set[int] = set()
    for category in categories:
        days.update(cadences.get((category, tier_key), ()))
    if not days and tier_key == "member":
        days.update(level_days)
    if not days:
        days.update(member_days if tier_key == "member" else ordinary_days)
    return sorted(d for d in days if d > 0)


def opens_case(score: int | None, *, low_score: int) -> bool:
    """A check-up scored at or below `low_score` opens a complaint case at once."""
    return score is not None and score <= low_score


def case_due_at(
    opened_at: dt.datetime, *, severity: str, hours: Mapping[str, int], due_percent: int = 100
) -> dt.datetime:
    """A case is due within its severity's hours of opening; a member level's priority shortens that to
    `due_percent` % of them (rounded to the minute, at least one minute)."""
    base = hours.get(severity, hours["normal"])
    minutes = max(1, round(base * 60 * min(max(due_percent, 1), 100) / 100))
    return opened_at + dt.timedelta(minutes=minutes)


def must_escalate(*, status: str, due_at: dt.datetime, escalated: bool, now: dt.datetime) -> bool:
    """An unresolved case past its due time goes to the manager, once."""
    return status in {"open", "in_progress"} and not escalated and now > due_at


def lifecycle_stage(
    *,
    first_sale_on: dt.date | None,
    last_sale_on: dt.date | None,
    expected_reorder_on: dt.date | None,
    today: dt.date,
    lapse_margin_days: int,
    dormant_after_days: int,
) -> tuple[str, dt.date | None]:
    """(stage, since): prospect until the first sale; active after it; lapsed when the predicted reorder is
    missed by more than the margin (since the day it lapsed); dormant once lapsed for `dormant_after_days`."""
    if first_sale_on is None:
        return "prospect", None
    if expected_reorder_on is None or (last_sale_on is not None and last_sale_on > expected_reorder_on):
        return "active", last_sale_on or first_sale_on
    lapsed_on = expected_reorder_on + dt.timedelta(days=lapse_margin_days)
    if today <= lapsed_on:
        return "active", last_sale_on or first_sale_on
    dormant_on = lapsed_on + dt.timedelta(days=dormant_after_days)
    if today > dormant_on:
        return "dormant", dormant_on
    return "lapsed", lapsed_on
