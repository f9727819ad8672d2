"""What has been collected on a contract, when it is settled, and what is still unpaid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from core.money import ZERO

from .facts import RETENTION_KIND, ContractFacts, PaymentFact


@dataclass(frozen=True)
class Settlement:
    main: PaymentFact | None  # the payment that completed the non-retention part
    full: PaymentFact | None  # the payment that completed the whole amount (retention included)


def _sorted_payments(facts: ContractFacts) -> list[PaymentFact]:
    return sorted(facts.credits, key=lambda p: (p.paid_on, p.id))


def collected(facts: ContractFacts, on: dt.date) -> tuple[Decimal, Decimal]:
    """(non-retention payments, all payments) paid on or before `on`; approved returns' credits count as paid."""
    nonret = total = ZERO
    for p in facts.credits:
        if p.paid_on <= on:
            total += p.amount
            if p.kind != RETENTION_KIND:
                nonret += p.amount
    return nonret, total


def settlement(facts: ContractFacts) -> Settlement:
    if facts.amount <= 0:
        return Settlement(None, None)
    nonret = total = ZERO
    main = full = None
    for p in _sorted_payments(facts):
        total += p.amount
        if p.kind != RETENTION_KIND:
            nonret += p.amount
        if main is None and (nonret >= facts.target or total >= facts.amount):
            main = p
        if full is None and total >= facts.amount:
            full = p
    return Settlement(main, full)


def unpaid_base(facts: ContractFacts, on: dt.date) -> Decimal:
    """The overdue-interest base on a day: the non-retention part not yet collected."""
    nonret, total = collected(facts, on)
    return max(ZERO, min(facts.target - nonret, facts.amount - total))
