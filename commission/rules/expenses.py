"""Expense allowance of a contract and the excess of approved expenses over it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.money import ZERO, round_money
from core.periods import month_end, month_start

from .book import Rules
from .facts import EXPENSE, ContractFacts, Entry, money_text, pct


@dataclass(frozen=True)
class Allowance:
    amount: Decimal  # rounded
    branch: str  # "low_margin", "high_margin" or "no_cost"
    margin: Decimal | None
    gross_profit: Decimal | None


def expense_allowance(facts: ContractFacts, rules: Rules) -> Allowance:
    if facts.cost is None or facts.amount <= 0:
        return Allowance(round_money(facts.amount * rules.high_margin_rate), "no_cost", None, None)
    profit = facts.amount - facts.cost
    margin = profit / facts.amount
    if margin < rules.margin_threshold:
        return Allowance(round_money(max(ZERO, profit) * rules.low_margin_rate), "low_margin", margin, profit)
    return Allowance(round_money(facts.amount * rules.high_margin_rate), "high_margin", margin, profit)


def expense_entries(facts: ContractFacts, rules: Rules, settled_month: dt.date, upto: dt.date) -> list[Entry]:
    """Expense excess: first at settlement, then as later approvals move it (one entry per change)."""
    allowance = expense_allowance(facts, rules)
    months = sorted({settled_month} | {month_start(e.approved_on) for e in facts.expenses})
    out: list[Entry] = []
    previous = ZERO
    for m in months:
        if m < settled_month or m > upto:
            continue
        spent = sum((e.amount for e in facts.expenses if e.approved_on <= month_end(m)), ZERO)
        excess = max(ZERO, spent - allowance.amount)
        if excess != previous:
            out.append(_expense_entry(facts, rules, allowance, m, spent=spent, excess=excess, previous=previous))
            previous = excess
    return out


def _expense_entry(
    facts: ContractFacts,
    rules: Rules,
    allowance: Allowance,
    month: dt.date,
    *,
    spent: Decimal,
    excess: Decimal,
    previous: Decimal,
) -> Entry:
    confidential: dict[str, str] = {}
    # A margin is known exactly when the cost is, and with it the gross profit (see expense_allowance).
    if allowance.margin is not None and allowance.gross_profit is not None and facts.cost is not None:
        confidential = {
            "cost": money_text(facts.cost),
            "gross_profit": money_text(allowance.gross_profit),
            "margin": f"{(allowance.margin * 100).quantize(Decimal('0.01'))}",
        }
    return Entry(
        facts.owner_id,
        facts.id,
        month,
        EXPENSE,
        -(excess - previous),
        f"expense_{allowance.branch}",
        {
            "amount": money_text(facts.amount),
            "expenses": money_text(spent),
            "allowance": money_text(allowance.amount),
            "excess": money_text(excess),
            "already_deducted": money_text(previous),
            "threshold": pct(rules.margin_threshold),
            "low_rate": pct(rules.low_margin_rate),
            "high_rate": pct(rules.high_margin_rate),
        },
        confidential,
    )
