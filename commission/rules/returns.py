"""Returns (退貨) after settlement: the commission paid on the goods sent back is taken back in the month the
return was approved. (A return approved before the contract is settled lowers the valuation instead: see
release.value_commission.) Months before the return are never rewritten."""

from __future__ import annotations

import datetime as dt

from core.money import round_money
from core.periods import month_start

from .book import RuleBook
from .collection import Settlement
from .facts import RETURN, ContractFacts, Entry, money_text, pct


def return_entries(facts: ContractFacts, book: RuleBook, st: Settlement, upto_end: dt.date) -> list[Entry]:
    """One line per return approved after the settling day (up to `upto_end`): −above-standard part of the goods
    returned × the commission rate that valued the contract (the settlement month's)."""
    if st.main is None or not facts.returns:
        return []
    settled_on = st.main.paid_on
    rules = book.for_month(month_start(settled_on))
    out = []
    for r in sorted(facts.returns, key=lambda r: (r.on, r.id)):
        if r.on <= settled_on or r.on > upto_end:
            continue
        amount = -round_money(r.above_standard * rules.commission_rate)
        if not amount:
            continue
        out.append(
            Entry(
                facts.owner_id,
                facts.id,
                month_start(r.on),
                RETURN,
                amount,
                "sales_return",
                {
                    "return_id": r.id,
                    "product": r.product,
                    "quantity": f"{r.quantity.normalize():f}",
                    "unit_price": money_text(r.unit_price),
                    "standard_price": money_text(r.standard_price),
                    "returned_above_standard": money_text(r.above_standard),
                    "commission_rate": pct(rules.commission_rate),
                    "credit": money_text(r.amount),
                    "approved_on": r.on.isoformat(),
                    "settled_on": settled_on.isoformat(),
                },
            )
        )
    return out
