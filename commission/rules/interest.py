"""Overdue interest, per shipment, by the receivables module (`receivables.rules.interest_for_month`).

Each shipment's unpaid part (retention excluded) accrues the monthly rate from the day after its own due date
(its shipping date + the grace months), counted per day of the calendar month; payments settle the invoice they
name first, otherwise the oldest shipment first. An approved bad-debt write-off settles like an unnamed payment
from the day it was approved (so the part written off accrues nothing from that day) until a reversal reinstates
it. Nothing accrues on goods not yet shipped. The contract's month is rounded once, to the cent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.money import ZERO, round_money
from core.periods import add_months, month_end, months_in
from receivables import rules as receivables

from .book import RuleBook, Rules
from .facts import INTEREST, ContractFacts, Entry, ShipmentFact, money_text, pct


def _terms(facts: ContractFacts) -> receivables.Terms:
    return receivables.Terms(facts.id, facts.amount, facts.retention, facts.retention_due_on)


def _shipments(facts: ContractFacts) -> tuple[ShipmentFact, ...]:
    """The facts' shipments; facts built without them ship the whole contract on the first shipping date."""
    if facts.shipments:
        return facts.shipments
    if facts.first_shipped_on is None:
        return ()
    return (ShipmentFact(0, facts.first_shipped_on, facts.amount),)


def interest_for_month(facts: ContractFacts, rules: Rules, month: dt.date) -> Entry | None:
    shipments = _shipments(facts)
    if not shipments or not facts.sold:
        return None
    per_shipment = receivables.interest_for_month(
        _terms(facts),
        shipments,
        facts.invoices,
        (*facts.credits, *facts.write_offs),  # payments, approved returns, then write-offs (not cash)
        month,
        grace_months=rules.interest_grace_months,
        monthly_rate=rules.interest_rate,
    )
    if not per_shipment:
        return None
    amount = -round_money(sum((s.exact for s in per_shipment), ZERO))
    if amount == 0:
        return None
    end = month_end(month)
    segments: list[dict[str, Any]] = [
        {
            "shipped_on": s.shipped_on.isoformat(),
            "from": seg.start.isoformat(),
            "to": seg.end.isoformat(),
            "days": seg.days,
            "base": money_text(seg.base),
        }
        for s in per_shipment
        for seg in s.segments
    ]
    first = per_shipment[0]
    charged_days = {
        seg.start + dt.timedelta(days=i) for s in per_shipment for seg in s.segments for i in range(seg.days)
    }
    return Entry(
        user_id=facts.owner_id,
        contract_id=facts.id,
        month=month,
        component=INTEREST,
        amount=amount,
        rule="interest",
        params={
            "shipped_on": first.shipped_on.isoformat(),
            "overdue_from": (first.due_on + dt.timedelta(days=1)).isoformat(),
            "grace_months": rules.interest_grace_months,
            "rate": pct(rules.interest_rate),
            "days_in_month": end.day,
            "days_overdue": len(charged_days),
            "days_since_due": (end - first.due_on).days,
            "base": segments[0]["base"],
            "shipments": [
                {
                    "shipped_on": s.shipped_on.isoformat(),
                    "overdue_from": (s.due_on + dt.timedelta(days=1)).isoformat(),
                    "interest": money_text(s.exact),
                }
                for s in per_shipment
            ],
            "segments": segments,
            "write_offs": [
                {"on": w.paid_on.isoformat(), "amount": money_text(abs(w.amount)), "reinstated": w.amount < 0}
                for w in sorted(facts.write_offs, key=lambda w: (w.paid_on, w.id))
                if w.paid_on <= end
            ],
        },
    )


def interest_entries(
    facts: ContractFacts, book: RuleBook, upto_end: dt.date, *, since: dt.date | None = None
) -> list[Entry]:
    """Interest of every month from the first shipment's due date (or `since`) to `upto_end`'s month."""
    shipments = _shipments(facts)
    if not shipments:
        return []
    first_ship = min(s.shipped_on for s in shipments)
    # Nothing accrues before the first shipment falls due (the shortest grace of any rule set: 0 months).
    first = max(first_ship, since) if since else first_ship
    out: list[Entry] = []
    for m in months_in(first, upto_end):
        rules = book.for_month(m, facts.unit_id)
        if month_end(m) <= add_months(first_ship, rules.interest_grace_months):
            continue
        entry = interest_for_month(facts, rules, m)
        if entry is not None:
            out.append(entry)
    return out
