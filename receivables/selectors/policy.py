"""The receivables policy in force on a day (the rule book's defaults when none is set)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from .. import rules
from ..models import ReceivablesPolicy


def policy_row(on: dt.date | None = None) -> ReceivablesPolicy | None:
    return ReceivablesPolicy.objects.in_force(on or timezone.localdate())


def policy_for(on: dt.date | None = None) -> rules.Policy:
    row = policy_row(on)
    return row.as_rules() if row else rules.Policy()


def policies_by_month(months: list[dt.date]) -> dict[dt.date, rules.Policy]:
    """The policy in force on each month's last day (one query)."""
    from core.periods import month_end

    rows = list(ReceivablesPolicy.objects.order_by("effective_from", "pk"))
    out = {}
    for m in months:
        chosen = None
        for row in rows:
            if row.effective_from <= month_end(m):
                chosen = row
        out[m] = chosen.as_rules() if chosen else rules.Policy()
    return out


def interest_terms() -> list[tuple[dt.date, int, Decimal]]:
    """(effective_from, grace months, monthly rate as a fraction) of every policy row, oldest first: the
    commission rule book charges interest with these."""
    return [
        (on, grace, rate / Decimal(100))
        for on, grace, rate in ReceivablesPolicy.objects.order_by("effective_from", "pk").values_list(
            "effective_from", "grace_months", "interest_percent_per_month"
        )
    ]
