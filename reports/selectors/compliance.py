"""Report compliance: share of working days with an on-time daily report, per person."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from core.batch import fetch_together
from core.periods import month_end, month_start

from ..calendar import WorkingCalendar, local_tz, report_deadline, units_with_own_cutoff
from ..models import ComplianceMonthly, DailyReport, SummaryState
from ._common import pct


@dataclass(frozen=True)
class Compliance:
    due_days: int
    on_time: int

    @property
    def rate(self) -> Decimal | None:
        return pct(self.on_time, self.due_days)


def report_compliance(
    *, people: list[User], start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> dict[int, Compliance]:
    """Share of working days with an on-time report, per person. A working day counts once its cut-off has
    passed (or once its report is in), from the day the person joined. Three queries."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    end = min(end, today)
    if end < start or not people:
        return {p.pk: Compliance(0, 0) for p in people}
    cal = WorkingCalendar(start, end)
    return compliance_slices(people=people, slices={"p": (start, end)}, now=now, cal=cal)["p"]


UNREAD: Any = object()  # the summaries' `stable_before` not read yet by the caller


def compliance_slices(
    *,
    people: list[User],
    slices: dict[str, tuple[dt.date, dt.date]],
    now: dt.datetime,
    cal: WorkingCalendar,
    stable_before: dt.date | None = UNREAD,
) -> dict[str, dict[int, Compliance]]:
    """Report compliance per person for several periods (`_compliance_slices`): the people of a unit with its own
    approved cut-off (`UnitReportPolicy`) are counted by their unit's calendar, everyone else by `cal` (the
    company's). One more query, and one more count per such unit. `stable_before`: the dashboard summary's
    `SummaryState.stable_before` when the caller has read it already (None: no summary), else read here once."""
    hi = max(e for _s, e in slices.values())
    own = set(units_with_own_cutoff(hi)) & {p.unit_id for p in people if p.unit_id}
    if stable_before is UNREAD:
        stable_before = SummaryState.objects.filter(name="dashboard").values_list("stable_before", flat=True).first()
    if not own:
        return _compliance_slices(people=people, slices=slices, now=now, cal=cal, stable_before=stable_before)
    out: dict[str, dict[int, Compliance]] = {key: {} for key in slices}
    groups: dict[int | None, list[User]] = {}
    for person in people:
        groups.setdefault(person.unit_id if person.unit_id in own else None, []).append(person)
    for unit_id, members in groups.items():
        unit_cal = cal if unit_id is None else WorkingCalendar(cal.start, cal.end, unit_id=unit_id)
        for key, values in _compliance_slices(
            people=members, slices=slices, now=now, cal=unit_cal, stable_before=stable_before
        ).items():
            out[key].update(values)
    return out


def _compliance_slices(
    *,
    people: list[User],
    slices: dict[str, tuple[dt.date, dt.date]],
    now: dt.datetime,
    cal: WorkingCalendar,
    stable_before: dt.date | None,
) -> dict[str, dict[int, Compliance]]:
    """Report compliance per person for several periods at once, counted in the database (one query, one row
    per person), so it stays fast with a year of reports for hundreds of people.

    Due days of a period: its working days whose cut-off has passed, from the person's first day (when they
    joined, or their first report if earlier: people moved into the CRM with their history), plus working days
    not yet closed whose report is already in on time. On time: reports filed before their cut-off."""
    lo = min(s for s, _e in slices.values())
    hi = max(e for _s, e in slices.values())
    days = cal.working_days(lo, hi)
    policy = cal.constant_policy()
    if policy is not None:  # one cut-off for the whole range: the days whose cut-off has passed come first
        passed = days[: bisect_left(days, True, key=lambda d: report_deadline(d, policy) >= now)]
    else:
        passed = [d for d in days if report_deadline(d, cal.policy_on(d)) < now]
    passed_set = set(passed)
    pending = [d for d in days if d not in passed_set]
    summary, live_lo = _summary_query(people=people, slices=slices, lo=lo, hi=hi, state=stable_before)
    live_days = [d for d in passed + pending if d >= live_lo]
    live = _live_query(people=people, slices=slices, lo=live_lo, hi=hi, days=live_days, passed=passed_set)
    # Both counts in one round trip (the live one on the primary, as always).
    if summary is None:
        rows: dict[int, dict] = {}
        (live_rows,) = fetch_together(live, using=DEFAULT_DB_ALIAS)
    else:
        summary_rows, live_rows = fetch_together(summary, live, using=DEFAULT_DB_ALIAS)
        rows = {
            author_id: {"first": first, **dict(zip(_slice_keys(slices), on_time, strict=True))}
            for author_id, first, *on_time in summary_rows
        }
    _add_live_rows(rows, live_rows, slices=slices)
    out: dict[str, dict[int, Compliance]] = {key: {} for key in slices}
    for person in people:
        row = rows.get(person.pk, {})
        joined = timezone.localtime(person.date_joined, local_tz()).date() if person.date_joined else lo
        first = min(joined, row["first"]) if row.get("first") else joined
        for key, (start, end) in slices.items():
            begin = max(start, first)
            due_passed = bisect_right(passed, end) - bisect_left(passed, begin) if begin <= end else 0
            filed_pending = row.get(f"n_{key}", 0)
            out[key][person.pk] = Compliance(
                due_days=max(due_passed, 0) + filed_pending, on_time=row.get(f"p_{key}", 0) + filed_pending
            )
    return out


def _slice_keys(slices: dict[str, tuple[dt.date, dt.date]]) -> list[str]:
    return [f"p_{key}" for key in slices]


def _summary_query(
    *, people: list[User], slices: dict[str, tuple[dt.date, dt.date]], lo: dt.date, hi: dt.date, state: dt.date | None
):
    """On-time counts per person and slice from the ComplianceMonthly summary (rows of author, first report day,
    and one count per slice, summed in the database), and the first day left to count live. Days before `state`
    (the summary's `stable_before`: reports locked for good) come from the summary when it covers every slice (else
    no query: everything is counted live). Slices start on the first of a month."""
    use_summary = state is not None and all(
        s.day == 1 and (e >= state - dt.timedelta(days=1) or month_end(e) == e) for s, e in slices.values()
    )
    if not use_summary or state is None:
        return None, lo
    per_slice = {
        f"p_{key}": Coalesce(Sum("on_time", filter=Q(month__gte=start, month__lte=end)), 0)
        for key, (start, end) in slices.items()
    }
    query = (
        ComplianceMonthly.objects.filter(
            author_id__in=[p.pk for p in people], month__gte=month_start(lo), month__lte=hi, month__lt=state
        )
        .values("author_id")
        .annotate(first=Min("first_date"), **per_slice)
        .values_list("author_id", "first", *per_slice)
        .order_by()
    )
    return query, max(lo, state)


def _live_query(
    *,
    people: list[User],
    slices: dict[str, tuple[dt.date, dt.date]],
    lo: dt.date,
    hi: dt.date,
    days: list[dt.date],
    passed: set[dt.date],
) -> tuple[str, dict]:
    """The on-time reports of `days` per person and slice: `p_` on days whose cut-off has passed, `n_` on the
    others, and each person's first report ((sql, params))."""
    # Raw SQL: the working days travel as one array parameter joined to the reports (a hash join), instead of
    # hundreds of IN (...) placeholders.
    kinds = ["p" if d in passed else "n" for d in days]
    params: dict = {"ids": [p.pk for p in people], "lo": lo, "hi": hi, "days": days, "kinds": kinds}
    counts = []
    for n, (start, end) in enumerate(slices.values()):
        params[f"s{n}"], params[f"e{n}"] = start, end
        counts.append(
            f"COUNT(*) FILTER (WHERE r.date BETWEEN %(s{n})s AND %(e{n})s AND w.kind = 'p'), "
            f"COUNT(*) FILTER (WHERE r.date BETWEEN %(s{n})s AND %(e{n})s AND w.kind = 'n')"
        )
    sql = (
        f"SELECT r.author_id, MIN(r.date), {', '.join(counts)} FROM {DailyReport._meta.db_table} r "  # noqa: S608
        "JOIN unnest(%(days)s::date[], %(kinds)s::text[]) AS w(day, kind) ON w.day = r.date "
        "WHERE r.author_id = ANY(%(ids)s) AND r.date BETWEEN %(lo)s AND %(hi)s AND r.submitted_at IS NOT NULL "
        "AND (r.deadline IS NULL OR r.submitted_at <= r.deadline) GROUP BY r.author_id"
    )
    return sql, params


def _add_live_rows(rows: dict[int, dict], fetched: list[tuple], *, slices: dict[str, tuple[dt.date, dt.date]]) -> None:
    """Add the live counts (`_live_query`'s rows) to the summary's, per person and slice."""
    for row in fetched:
        data = rows.setdefault(row[0], {"first": row[1]})
        data["first"] = min(data["first"], row[1])
        for n, key in enumerate(slices):
            data[f"p_{key}"] = data.get(f"p_{key}", 0) + row[2 + 2 * n]
            data[f"n_{key}"] = data.get(f"n_{key}", 0) + row[3 + 2 * n]
