"""Valuing a contract's commission and releasing it: at settlement, and the retention-held part later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from core.money import round_money
from core.periods import month_start

from .book import Rules
from .collection import Settlement
from .facts import RELEASE, RETENTION_RELEASE, ContractFacts, Entry, PaymentFact, money_text, pct


def net_above_standard(facts: ContractFacts, upto: dt.date | None) -> Decimal:
    if upto is None:
        return facts.above_standard
    return facts.above_standard - facts.returned_above_standard(upto)


def returns_params(facts: ContractFacts, upto: dt.date) -> dict[str, str]:
    """The inputs that explain a valuation net of returns (nothing when no goods were returned by then)."""
    returned = facts.returned_above_standard(upto)
    if not returned:
        return {}
    return {"gross_above_standard": money_text(facts.above_standard), "returned_above_standard": money_text(returned)}


@dataclass(frozen=True)
class Valuation:
    earned: Decimal  # rounded
    released_first: Decimal  # rounded: what is released when the non-retention part is collected
    held_for_retention: Decimal  # earned − released_first
    rules: Rules


def value_commission(facts: ContractFacts, rules: Rules, *, upto: dt.date | None = None) -> Valuation:
    """The commission on the above-standard part, less that of goods returned (approved) on or before `upto`."""
    exact = net_above_standard(facts, upto) * rules.commission_rate
    earned = round_money(exact)
    if facts.retention > 0:
        first = round_money(exact * (1 - rules.retention_hold_rate))
    else:
        first = earned
    return Valuation(earned=earned, released_first=first, held_for_retention=earned - first, rules=rules)


def release_entries(
    facts: ContractFacts, rules: Rules, st: Settlement, settled_month: dt.date, upto_end: dt.date
) -> list[Entry]:
    """The commission released when the contract is settled, and its retention-held part once fully paid."""
    main = cast(PaymentFact, st.main)  # settled: the caller passes only a settlement with its main payment
    val = value_commission(facts, rules, upto=main.paid_on)
    if not val.earned > 0:
        return []
    base_params = {
        **returns_params(facts, main.paid_on),
        "above_standard": money_text(net_above_standard(facts, main.paid_on)),
        "commission_rate": pct(rules.commission_rate),
        "earned": money_text(val.earned),
        "amount": money_text(facts.amount),
        "retention": money_text(facts.retention),
        "target": money_text(facts.target),
        "payment_id": main.id,
        "paid_on": main.paid_on.isoformat(),
        "payment_amount": money_text(main.amount),
    }
    if not facts.retention > 0:
        return [Entry(facts.owner_id, facts.id, settled_month, RELEASE, val.earned, "release", base_params)]
    hold_params = {**base_params, "hold_rate": pct(rules.retention_hold_rate)}
    out = [
        Entry(
            facts.owner_id,
            facts.id,
            settled_month,
            RELEASE,
            val.released_first,
            "release_with_retention",
            {**hold_params, "held": money_text(val.held_for_retention)},
        )
    ]
    if st.full is not None and st.full.paid_on <= upto_end and val.held_for_retention:
        out.append(
            Entry(
                facts.owner_id,
                facts.id,
                month_start(st.full.paid_on),
                RETENTION_RELEASE,
                val.held_for_retention,
                "retention_release",
                {
                    **hold_params,
                    "payment_id": st.full.id,
                    "paid_on": st.full.paid_on.isoformat(),
                    "payment_amount": money_text(st.full.amount),
                },
            )
        )
    return out
