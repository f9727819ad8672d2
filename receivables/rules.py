"""The one receivables module: what is due per shipment and per invoice, retention apart, due dates, aging,
overdue amount and overdue interest. Pure functions, Decimal only, numbers from `Policy` (the policy row).

The model (also in receivables/README.md):
- A contract's *stream* is its amount less retention (質保金), `target`. Each shipment covers the next stretch of
  the stream: its value × target / amount, rounded to the cent (retention is apart: due on the contract's
  retention date, never aged, never charged interest). Whatever the shipments do not cover is *unshipped*.
- Invoices cover the stream in the order they were issued, each its amount × target / amount.
- Payments other than retention pay the stream. A payment naming one of the contract's invoices pays that
  invoice's stretch first (from its start); everything else (unnamed payments, and the excess of a named one)
  pays the oldest unpaid part first. The allocation on a day uses the payments made by that day.
- An approved bad-debt write-off is an unnamed credit from the day it was approved (it pays the oldest unpaid
  part first, so a partial write-off reduces the oldest open shipments, and that part stops accruing interest that
  day). A reversed write-off (the debt reinstated) is the same credit taken back on the day it was reversed: from
  that day the amount is unpaid, and accrues, again (`write_off_credits`).
- A shipment is due (the last day still on time) `grace_months` after its shipping date; from the next day its
  unpaid part is overdue, ages in the policy's buckets and accrues `monthly_rate` per month, counted per day
  of the calendar month (a day costs rate / days-in-the-month); a payment counts from the day it is paid.
- The SQL form of the same rules is `receivables.selectors.sql` (proven equal by a property test).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from core.money import ZERO, round_money
from core.periods import add_months, month_end, month_start

CURRENT = "current"
RETENTION = "retention"
WRITE_OFF = "write_off"  # an approved bad-debt write-off: settles like an unnamed payment
CREDIT_KINDS = frozenset({WRITE_OFF})  # credits that are not cash: never count as collected for commission
SALES_RETURN = "sales_return"  # an approved return's credit (退貨): settles like an unnamed payment


@dataclass(frozen=True)
class Policy:
    """The thresholds (receivables.ReceivablesPolicy in force): the rule book's defaults."""

    grace_months: int = 2
    monthly_rate: Decimal = Decimal("0.01")  # a fraction: 1 % a month
    warning_days: int = 7
    bucket_edges: tuple[int, ...] = (30, 60, 90, 180)


@dataclass(frozen=True)
class Terms:
    contract_id: int
    amount: Decimal
    retention: Decimal
    retention_due_on: dt.date | None = None

    @property
    def target(self) -> Decimal:
        return max(ZERO, self.amount - self.retention)


@dataclass(frozen=True)
class ShipmentFact:
    id: int
    shipped_on: dt.date
    value: Decimal


@dataclass(frozen=True)
class InvoiceFact:
    id: int
    issued_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class PaymentFact:
    id: int
    paid_on: dt.date
    amount: Decimal
    kind: str = "progress"
    invoice_id: int | None = None

    @property
    def is_retention(self) -> bool:
        return self.kind == RETENTION


def write_off_credits(
    write_off_id: int, amount: Decimal, approved_on: dt.date, reversed_on: dt.date | None = None
) -> list[PaymentFact]:
    """A write-off as credits of the stream: `amount` from the day it was approved (unnamed: the oldest unpaid
    part first), and, if it was reversed, −`amount` from the day it was reversed (the debt reinstated)."""
    out = [PaymentFact(-2 * write_off_id, approved_on, amount, WRITE_OFF)]
    if reversed_on is not None:
        out.append(PaymentFact(-2 * write_off_id - 1, reversed_on, -amount, WRITE_OFF))
    return out


@dataclass(frozen=True)
class Stretch:
    """A part [start, end) of a contract's stream: a shipment, an invoice, or what is not yet shipped."""

    id: int | None
    on: dt.date | None
    start: Decimal
    end: Decimal

    @property
    def size(self) -> Decimal:
        return self.end - self.start


def _part(value: Decimal, terms: Terms) -> Decimal:
    """The non-retention part of an amount of the contract (value × target / amount), to the cent."""
    if terms.amount <= 0:
        return ZERO
    return round_money(value * terms.target / terms.amount)


def _stretches(parts: Iterable[tuple[int, dt.date, Decimal]], terms: Terms) -> list[Stretch]:
    out: list[Stretch] = []
    cum = ZERO
    for pk, on, value in parts:
        start = min(cum, terms.target)
        cum += _part(value, terms)
        out.append(Stretch(pk, on, start, min(cum, terms.target)))
    return out


def shipment_stretches(terms: Terms, shipments: Sequence[ShipmentFact], as_of: dt.date) -> list[Stretch]:
    """The shipments made by `as_of`, oldest first. Shipments recorded without value (legacy rows) count as
    shipping the whole contract on the first date."""
    shipped = sorted((s for s in shipments if s.shipped_on <= as_of), key=lambda s: (s.shipped_on, s.id))
    legacy = bool(shipped) and sum((s.value for s in shipped), ZERO) <= 0
    parts = [(s.id, s.shipped_on, terms.amount if legacy and i == 0 else s.value) for i, s in enumerate(shipped)]
    return _stretches(parts, terms)


def invoice_stretches(terms: Terms, invoices: Sequence[InvoiceFact], as_of: dt.date) -> list[Stretch]:
    issued = sorted((i for i in invoices if i.issued_on <= as_of), key=lambda i: (i.issued_on, i.id))
    return _stretches([(i.id, i.issued_on, i.amount) for i in issued], terms)


@dataclass(frozen=True)
class Allocation:
    """Where the non-retention payments made by a day went: the stretches paid by name, and the pool paid
    oldest first into what is left."""

    named: tuple[tuple[Decimal, Decimal], ...]  # [start, end) paid by payments naming their invoice
    pool: Decimal
    retention_paid: Decimal
    paid: Decimal

    def _named_in(self, start: Decimal, end: Decimal) -> Decimal:
        return sum((max(ZERO, min(b, end) - max(a, start)) for a, b in self.named), ZERO)

    def open_in(self, start: Decimal, end: Decimal) -> Decimal:
        """What is still unpaid of the stream's part [start, end)."""
        free = (end - start) - self._named_in(start, end)
        free_before = start - self._named_in(ZERO, start)
        return free - min(max(self.pool - free_before, ZERO), free)


def allocate(invoices: Sequence[Stretch], payments: Iterable[PaymentFact], on: dt.date) -> Allocation:
    nonret = retention_paid = ZERO
    by_invoice: dict[int, Decimal] = {}
    for p in payments:
        if p.paid_on > on:
            continue
        if p.is_retention:
            retention_paid += p.amount
            continue
        nonret += p.amount
        if p.invoice_id is not None:
            by_invoice[p.invoice_id] = by_invoice.get(p.invoice_id, ZERO) + p.amount
    named = tuple(
        (i.start, i.start + min(i.size, by_invoice[i.id])) for i in invoices if i.id in by_invoice and i.size > 0
    )
    covered = sum((b - a for a, b in named), ZERO)
    return Allocation(named, nonret - covered, retention_paid, nonret + retention_paid)


def due_on(shipped_on: dt.date, policy: Policy) -> dt.date:
    """The last day a shipment is still on time; interest runs from the next day."""
    return add_months(shipped_on, policy.grace_months)


def bucket_keys(policy: Policy) -> tuple[str, ...]:
    """ "current" (not yet due), then one bucket per edge of days past due: 1-30, 31-60, …, and the last open one."""
    keys = [CURRENT]
    low = 1
    for edge in policy.bucket_edges:
        keys.append(f"{low}-{edge}")
        low = edge + 1
    keys.append(f"{low - 1}+")
    return tuple(keys)


def bucket_for(days_past_due: int, policy: Policy) -> str:
    keys = bucket_keys(policy)
    if days_past_due <= 0:
        return keys[0]
    for i, edge in enumerate(policy.bucket_edges):
        if days_past_due <= edge:
            return keys[i + 1]
    return keys[-1]


@dataclass(frozen=True)
class ShipmentDue:
    shipment_id: int
    shipped_on: dt.date
    due_on: dt.date
    receivable: Decimal  # the shipment's part of the stream (retention excluded)
    open: Decimal
    days_past_due: int
    bucket: str


@dataclass(frozen=True)
class InvoiceDue:
    invoice_id: int
    issued_on: dt.date
    receivable: Decimal
    open: Decimal


@dataclass(frozen=True)
class Position:
    """A contract's receivable on a day."""

    contract_id: int
    as_of: dt.date
    amount: Decimal
    paid: Decimal
    balance: Decimal  # amount − everything paid
    retention_amount: Decimal
    retention_paid: Decimal
    retention_outstanding: Decimal
    retention_due_on: dt.date | None
    retention_overdue: bool
    shipments: tuple[ShipmentDue, ...]
    invoices: tuple[InvoiceDue, ...]
    unshipped: Decimal  # still due on goods not yet shipped (not due, no interest)
    aging: dict[str, Decimal] = field(default_factory=dict)  # open shipped parts by bucket, "current" first

    @property
    def overdue(self) -> Decimal:
        return sum((v for k, v in self.aging.items() if k != CURRENT), ZERO)

    @property
    def shipped_open(self) -> Decimal:
        return sum(self.aging.values(), ZERO)

    @property
    def oldest_unpaid_shipment(self) -> dt.date | None:
        return next((s.shipped_on for s in self.shipments if s.open > 0), None)

    @property
    def days_past_due(self) -> int:
        """The age of the oldest unpaid shipment past its due date (0: nothing overdue)."""
        return max((s.days_past_due for s in self.shipments if s.open > 0 and s.days_past_due > 0), default=0)

    @property
    def next_due_on(self) -> dt.date | None:
        """The first due date still ahead with something unpaid (when interest would start the next day)."""
        return min((s.due_on for s in self.shipments if s.open > 0 and s.days_past_due <= 0), default=None)

    @property
    def fully_paid(self) -> bool:
        return self.balance <= 0

    @property
    def collected_except_retention(self) -> bool:
        return self.balance - self.retention_outstanding <= 0


def position(
    terms: Terms,
    shipments: Sequence[ShipmentFact],
    invoices: Sequence[InvoiceFact],
    payments: Sequence[PaymentFact],
    as_of: dt.date,
    policy: Policy,
) -> Position:
    ships = shipment_stretches(terms, shipments, as_of)
    invs = invoice_stretches(terms, invoices, as_of)
    alloc = allocate(invs, payments, as_of)
    balance = max(ZERO, terms.amount - alloc.paid)
    retention_outstanding = min(balance, max(ZERO, terms.retention - alloc.retention_paid))
    aging = dict.fromkeys(bucket_keys(policy), ZERO)
    dues: list[ShipmentDue] = []
    for s in ships:
        assert s.on is not None and s.id is not None
        due = due_on(s.on, policy)
        days = (as_of - due).days
        open_part = alloc.open_in(s.start, s.end)
        dues.append(ShipmentDue(s.id, s.on, due, s.size, open_part, days, bucket_for(days, policy)))
        aging[bucket_for(days, policy)] += open_part
    shipped_end = ships[-1].end if ships else ZERO
    return Position(
        contract_id=terms.contract_id,
        as_of=as_of,
        amount=terms.amount,
        paid=alloc.paid,
        balance=balance,
        retention_amount=terms.retention,
        retention_paid=alloc.retention_paid,
        retention_outstanding=retention_outstanding,
        retention_due_on=terms.retention_due_on,
        retention_overdue=bool(retention_outstanding > 0 and terms.retention_due_on and terms.retention_due_on < as_of),
        shipments=tuple(dues),
        invoices=tuple(
            InvoiceDue(i.id, i.on, i.size, alloc.open_in(i.start, i.end))  # type: ignore[arg-type]
            for i in invs
        ),
        unshipped=alloc.open_in(shipped_end, terms.target),
        aging=aging,
    )


# --- overdue interest ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    start: dt.date
    end: dt.date  # inclusive
    days: int
    base: Decimal


@dataclass(frozen=True)
class ShipmentInterest:
    shipment_id: int
    shipped_on: dt.date
    due_on: dt.date
    exact: Decimal  # unrounded: the statement rounds the contract's month once
    segments: tuple[Segment, ...]


def open_on(
    terms: Terms,
    shipments: Sequence[ShipmentFact],
    invoices: Sequence[InvoiceFact],
    payments: Sequence[PaymentFact],
    day: dt.date,
) -> dict[int, Decimal]:
    """Each shipment's unpaid part (retention excluded) at the end of `day`."""
    ships = shipment_stretches(terms, shipments, day)
    alloc = allocate(invoice_stretches(terms, invoices, day), payments, day)
    return {s.id: alloc.open_in(s.start, s.end) for s in ships if s.id is not None}


def interest_for_month(
    terms: Terms,
    shipments: Sequence[ShipmentFact],
    invoices: Sequence[InvoiceFact],
    payments: Sequence[PaymentFact],
    month: dt.date,
    *,
    grace_months: int,
    monthly_rate: Decimal,
) -> list[ShipmentInterest]:
    """Interest of one calendar month, per shipment: from the day after its due date, its unpaid part × rate ×
    days / days-in-the-month, a segment per constant balance (a payment counts from its day)."""
    start, end = month_start(month), month_end(month)
    days_in_month = end.day
    policy = Policy(grace_months=grace_months, monthly_rate=monthly_rate)
    # Balances change only on payment, invoice and shipment days: evaluate once per constant stretch.
    change_days = sorted(
        {p.paid_on for p in payments if start < p.paid_on <= end}
        | {i.issued_on for i in invoices if start < i.issued_on <= end}
        | {x.shipped_on for x in shipments if start < x.shipped_on <= end}
    )
    out: list[ShipmentInterest] = []
    for s in sorted(shipments, key=lambda s: (s.shipped_on, s.id)):
        due = due_on(s.shipped_on, policy)
        first = max(start, due + dt.timedelta(days=1))
        if first > end:
            continue
        bounds = [first, *(d for d in change_days if d > first), end + dt.timedelta(days=1)]
        exact = ZERO
        segments: list[Segment] = []
        for seg_start, seg_next in itertools.pairwise(bounds):
            base = open_on(terms, shipments, invoices, payments, seg_start).get(s.id, ZERO)
            days = (seg_next - seg_start).days
            if base > 0 and days > 0:
                exact += base * monthly_rate * days / days_in_month
                segments.append(Segment(seg_start, seg_next - dt.timedelta(days=1), days, base))
        if segments:
            out.append(ShipmentInterest(s.id, s.shipped_on, due, exact, tuple(segments)))
    return out


def interest_starts(
    terms: Terms,
    shipments: Sequence[ShipmentFact],
    invoices: Sequence[InvoiceFact],
    payments: Sequence[PaymentFact],
    today: dt.date,
    policy: Policy,
) -> list[ShipmentDue]:
    """Shipments whose interest starts within the policy's warning days (due today … today + warning − 1 …),
    with something still unpaid today: the salesperson is warned once per shipment."""
    pos = position(terms, shipments, invoices, payments, today, policy)
    horizon = today + dt.timedelta(days=policy.warning_days)
    return [s for s in pos.shipments if s.open > 0 and today <= s.due_on < horizon]
