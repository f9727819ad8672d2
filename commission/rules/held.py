"""Information lines: commission earned on a contract but still held at a month's end, and why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

from core.money import ZERO
from core.periods import month_end, month_start

from .book import RuleBook
from .collection import Settlement, collected, settlement
from .facts import HELD, ContractFacts, Entry, PaymentFact, money_text, pct
from .release import net_above_standard, returns_params, value_commission


def held_entries(facts: ContractFacts, book: RuleBook, month: dt.date) -> list[Entry]:
    """Information lines: commission earned on the contract but still held at the end of `month`, and why."""
    end = month_end(month)
    if not facts.sold or facts.signed_on is None or facts.signed_on > end or facts.above_standard <= 0:
        return []
    st = settlement(facts)
    nonret, total = collected(facts, end)
    if st.main is None or st.main.paid_on > end:
        return _held_not_collected(facts, book, month, nonret)
    if facts.retention > 0 and (st.full is None or st.full.paid_on > end):
        return _held_for_retention(facts, book, month, st, total)
    return []


def _held_not_collected(facts: ContractFacts, book: RuleBook, month: dt.date, nonret: Decimal) -> list[Entry]:
    rules = book.for_month(month, facts.unit_id)
    end = month_end(month)
    val = value_commission(facts, rules, upto=end)
    if not val.earned > 0:
        return []
    return [
        Entry(
            facts.owner_id,
            facts.id,
            month,
            HELD,
            val.earned,
            "held_not_collected",
            {
                **returns_params(facts, end),
                "above_standard": money_text(net_above_standard(facts, end)),
                "commission_rate": pct(rules.commission_rate),
                "earned": money_text(val.earned),
                "collected": money_text(min(nonret, facts.target)),
                "target": money_text(facts.target),
                "outstanding": money_text(max(ZERO, facts.target - nonret)),
            },
            info=True,
        )
    ]


def _held_for_retention(
    facts: ContractFacts, book: RuleBook, month: dt.date, st: Settlement, total: Decimal
) -> list[Entry]:
    main = cast(PaymentFact, st.main)  # settled: held_entries returned early when there is no main payment
    rules = book.for_month(month_start(main.paid_on), facts.unit_id)
    val = value_commission(facts, rules, upto=main.paid_on)
    if not val.held_for_retention:
        return []
    return [
        Entry(
            facts.owner_id,
            facts.id,
            month,
            HELD,
            val.held_for_retention,
            "held_retention",
            {
                "hold_rate": pct(rules.retention_hold_rate),
                "earned": money_text(val.earned),
                "retention": money_text(facts.retention),
                "retention_outstanding": money_text(max(ZERO, facts.amount - total)),
            },
            info=True,
        )
    ]
