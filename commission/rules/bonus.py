"""Cooperation bonus: rate × sales (or gross profit), released when the contract is settled."""

from __future__ import annotations

import datetime as dt

from core.money import ZERO, round_money

from .facts import BONUS, ContractFacts, Entry, PaymentFact, money_text, pct


def bonus_entries(facts: ContractFacts, main: PaymentFact, settled_month: dt.date) -> list[Entry]:
    """One entry per staff member with a bonus on the contract; `main` is the settling payment."""
    out: list[Entry] = []
    for bonus in facts.bonuses:
        if bonus.basis == "profit":
            if facts.cost is None:
                continue  # released once finance records the cost, as an adjustment
            basis_amount = max(ZERO, facts.amount - facts.cost)
        else:
            basis_amount = facts.amount
        amount = round_money(basis_amount * bonus.rate)
        if amount:
            params = {"rate": pct(bonus.rate), "basis": bonus.basis, "paid_on": main.paid_on.isoformat()}
            confidential = {}
            if bonus.basis == "profit":
                confidential = {"basis_amount": money_text(basis_amount)}
            else:
                params["basis_amount"] = money_text(basis_amount)
            out.append(
                Entry(
                    bonus.staff_id,
                    facts.id,
                    settled_month,
                    BONUS,
                    amount,
                    "cooperation_bonus",
                    params,
                    confidential,
                )
            )
    return out
