"""What the rules read (facts about a contract) and what they write (statement entries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from core.money import ZERO, round_money
from receivables.rules import InvoiceFact, PaymentFact, ShipmentFact

# Components of a statement line.
RELEASE = "release"
RETENTION_RELEASE = "retention_release"
INTEREST = "interest"
EXPENSE = "expense_excess"
BONUS = "cooperation_bonus"
RETURN = "sales_return"  # commission taken back for goods returned after the contract was settled
HELD = "held"  # information only: commission earned but not yet released
MONEY_COMPONENTS = (RELEASE, RETENTION_RELEASE, INTEREST, EXPENSE, BONUS, RETURN)

RETENTION_KIND = "retention"
RETURN_KIND = "sales_return"  # an approved return's credit, counted like a payment from the day it was approved

__all__ = ["InvoiceFact", "PaymentFact", "ShipmentFact"]  # the receivables module's facts, shared


@dataclass(frozen=True)
class ExpenseFact:
    id: int
    approved_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ReturnFact:
    """An approved return (退貨) of one contract line, counted on `on`, the day the manager approved it."""

    id: int
    on: dt.date
    amount: Decimal  # credited to the customer
    quantity: Decimal
    unit_price: Decimal
    standard_price: Decimal
    product: str = ""

    @property
    def above_standard(self) -> Decimal:
        return max(ZERO, self.unit_price - self.standard_price) * self.quantity


@dataclass(frozen=True)
class BonusFact:
    staff_id: int
    rate: Decimal  # a fraction
    basis: str  # "sales" or "profit"


@dataclass(frozen=True)
class ContractFacts:
    id: int
    number: str
    owner_id: int
    unit_id: int | None
    sold: bool  # signed or filed; anything else earns nothing
    signed_on: dt.date | None
    amount: Decimal
    retention: Decimal
    above_standard: Decimal  # Σ max(0, unit price − standard price) × quantity, unrounded
    payments: tuple[PaymentFact, ...] = ()
    first_shipped_on: dt.date | None = None
    cost: Decimal | None = None
    # Each shipment with its value (interest runs per shipment); none given: the whole amount shipped on the
    # first shipping date (facts built by hand in tests).
    shipments: tuple[ShipmentFact, ...] = ()
    invoices: tuple[InvoiceFact, ...] = ()
    # Approved bad-debt write-offs as credits of the stream (receivables.rules.write_off_credits): they stop
    # interest on the part written off from the day of approval, but are not cash, so never settle commission.
    write_offs: tuple[PaymentFact, ...] = ()
    retention_due_on: dt.date | None = None
    expenses: tuple[ExpenseFact, ...] = ()
    bonuses: tuple[BonusFact, ...] = ()
    customer: str = ""
    returns: tuple[ReturnFact, ...] = ()

    @property
    def credits(self) -> tuple[PaymentFact, ...]:
        """Payments and approved returns' credits: both reduce what the customer owes from their day."""
        if not self.returns:
            return self.payments
        return self.payments + tuple(PaymentFact(-r.id, r.on, r.amount, RETURN_KIND) for r in self.returns)

    def returned_above_standard(self, upto: dt.date) -> Decimal:
        """The above-standard part of the goods returned (approved) on or before `upto`, unrounded."""
        return sum((r.above_standard for r in self.returns if r.on <= upto), ZERO)

    @property
    def target(self) -> Decimal:
        """The part that must be collected before commission is settled: everything but retention."""
        return max(ZERO, self.amount - self.retention)


def above_standard(lines: Iterable[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """lines: (quantity, unit_price, standard_price). Lines sold at or below standard contribute nothing."""
    return sum((max(ZERO, price - standard) * qty for qty, price, standard in lines), ZERO)


@dataclass
class Entry:
    """One line of a statement. `amount` is money moved this month (info lines: the amount held)."""

    user_id: int
    contract_id: int
    month: dt.date
    component: str
    amount: Decimal
    rule: str
    params: dict[str, Any] = field(default_factory=dict)
    confidential: dict[str, str] = field(default_factory=dict)  # inputs that salespeople must not see (cost, profit)
    info: bool = False


def pct(rate: Decimal) -> str:
    """A rate as a percentage string without trailing zeros: Decimal('0.5') -> '50'."""
    value = (rate * 100).normalize()
    return f"{value:f}"


def money_text(value: Decimal) -> str:
    """An amount as it is stored in an entry's params: rounded to the cent, as a string."""
    return str(round_money(value))
