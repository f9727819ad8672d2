"""Overdue interest: the unpaid non-retention part after the grace months, pro rata per day of the month."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from core.money import ZERO, round_money
from core.periods import add_months, month_end, months_in

from .book import RuleBook, Rules
from .collection import unpaid_base
from .facts import INTEREST, ContractFacts, Entry, money_text, pct


def _unpaid_segments(
    facts: ContractFacts, rules: Rules, start: dt.date, end: dt.date
) -> tuple[Decimal, list[dict[str, Any]]]:
    """(exact interest, segments) over [start, end]: a segment per constant unpaid balance, from each payment day."""
    days_in_month = end.day
    change_days = sorted({p.paid_on for p in facts.payments if start < p.paid_on <= end})
    bounds = [start, *change_days, end + dt.timedelta(days=1)]
    exact = ZERO
    segments: list[dict[str, Any]] = []
    for seg_start, seg_next in itertools.pairwise(bounds):
        base = unpaid_base(facts, seg_start)
        days = (seg_next - seg_start).days
        if base > 0 and days > 0:
            exact += base * rules.interest_rate * days / days_in_month
            segments.append(
                {
                    "from": seg_start.isoformat(),
                    "to": (seg_next - dt.timedelta(days=1)).isoformat(),
                    "days": days,
                    "base": money_text(base),
                }
            )
    return exact, segments


def interest_for_month(facts: ContractFacts, rules: Rules, month: dt.date) -> Entry | None:
    if facts.first_shipped_on is None or not facts.sold:
        return None
    grace_end = add_months(facts.first_shipped_on, rules.interest_grace_months)
    start = max(month, grace_end + dt.timedelta(days=1))
    end = month_end(month)
    if start > end:
        return None
    exact, segments = _unpaid_segments(facts, rules, start, end)
    if not segments:
        return None
    amount = -round_money(exact)
    if amount == 0:
        return None
    return Entry(
        user_id=facts.owner_id,
        contract_id=facts.id,
        month=month,
        component=INTEREST,
        amount=amount,
        rule="interest",
        params={
            "shipped_on": facts.first_shipped_on.isoformat(),
            "overdue_from": (grace_end + dt.timedelta(days=1)).isoformat(),
            "grace_months": rules.interest_grace_months,
            "rate": pct(rules.interest_rate),
            "days_in_month": end.day,
            "days_overdue": sum(s["days"] for s in segments),
            "days_since_due": (end - grace_end).days,
            "base": segments[0]["base"],
            "segments": segments,
        },
    )


def interest_entries(
    facts: ContractFacts, book: RuleBook, upto_end: dt.date, *, since: dt.date | None = None
) -> list[Entry]:
    """Interest of every month from the first shipment (or `since`) to `upto_end`'s month."""
    if facts.first_shipped_on is None:
        return []
    first = max(facts.first_shipped_on, since) if since else facts.first_shipped_on
    out: list[Entry] = []
    for m in months_in(first, upto_end):
        entry = interest_for_month(facts, book.for_month(m), m)
        if entry is not None:
            out.append(entry)
    return out
