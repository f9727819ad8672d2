"""A customer's statement of account on a day: invoices and payments in date order with the running balance,
and the receivables module's position per contract (aging, retention apart). Also rendered as a PDF elsewhere:
`statement_of_account` returns plain frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from core.money import ZERO
from customers.models import Customer
from sales import selectors as sales_selectors
from sales.models import SOLD_STATUSES, Contract, Invoice, Payment

from .. import rules
from ..models import CollectionNote, WriteOff, WriteOffStatus
from .policy import policy_for
from .positions import positions_for


@dataclass(frozen=True)
class StatementLine:
    on: dt.date
    kind: str  # "invoice", "payment", "write_off", "write_off_reversal", "sales_return" (an approved return's credit)
    contract_number: str
    reference: str
    debit: Decimal  # invoiced (or a written-off debt reinstated)
    credit: Decimal  # paid or written off
    balance: Decimal  # invoiced − credited so far


@dataclass(frozen=True)
class ContractLine:
    contract_id: int
    number: str
    amount: Decimal
    balance: Decimal
    retention_outstanding: Decimal
    retention_due_on: dt.date | None
    unshipped: Decimal
    overdue: Decimal
    aging: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class StatementOfAccount:
    customer_id: int
    customer_name: str
    as_of: dt.date
    lines: tuple[StatementLine, ...]
    contracts: tuple[ContractLine, ...]
    buckets: tuple[str, ...]
    aging: tuple[tuple[str, Decimal], ...]  # open shipped parts by bucket over all contracts
    invoiced: Decimal
    credited: Decimal
    balance: Decimal  # what the customer owes on its contracts (amount − paid − written off)
    retention_outstanding: Decimal
    unshipped: Decimal
    overdue: Decimal


def statement_of_account(customer: Customer, as_of: dt.date | None = None) -> StatementOfAccount:
    """The statement of a customer (the caller checks the customer is visible). Eight queries."""
    as_of = as_of or timezone.localdate()
    policy = policy_for(as_of)
    contracts = list(
        Contract.objects.filter(customer=customer, status__in=SOLD_STATUSES)
        .order_by("signed_on", "id")
        .values_list("pk", "number", "amount", "retention_due_on")
    )
    numbers = {pk: number for pk, number, _a, _r in contracts}
    positions = positions_for(contract_ids=list(numbers), as_of=as_of, policy=policy)
    events: list[tuple[dt.date, int, str, str, str, Decimal, Decimal]] = []
    for cid, on, number, amount in Invoice.objects.filter(contract_id__in=numbers, issued_on__lte=as_of).values_list(
        "contract_id", "issued_on", "number", "amount"
    ):
        events.append((on, 0, "invoice", numbers[cid], number, amount, ZERO))
    for cid, on, ref, amount in Payment.objects.filter(contract_id__in=numbers, paid_on__lte=as_of).values_list(
        "contract_id", "paid_on", "reference", "amount"
    ):
        events.append((on, 1, "payment", numbers[cid], ref, ZERO, amount))
    for cid, on, reversed_on, amount in WriteOff.objects.filter(
        contract_id__in=numbers, status__in=[WriteOffStatus.APPROVED, WriteOffStatus.REVERSED], decided_on__lte=as_of
    ).values_list("contract_id", "decided_on", "reversed_on", "amount"):
        if on is not None:
            events.append((on, 2, "write_off", numbers[cid], "", ZERO, amount))
        if reversed_on is not None and reversed_on <= as_of:  # the debt reinstated
            events.append((reversed_on, 3, "write_off_reversal", numbers[cid], "", amount, ZERO))
    for r in sales_selectors.return_facts(contract_ids=list(numbers), end=as_of):
        events.append((r.on, 3, "sales_return", numbers[r.contract_id], r.product_code, ZERO, r.amount))
    running = ZERO
    lines = []
    for on, _order, kind, number, ref, debit, credit in sorted(events, key=lambda e: (e[0], e[1], e[3])):
        running += debit - credit
        lines.append(StatementLine(on, kind, number, ref, debit, credit, running))
    keys = rules.bucket_keys(policy)
    aging = dict.fromkeys(keys, ZERO)
    rows = []
    for pk, number, amount, retention_due_on in contracts:
        pos = positions[pk]
        for k in keys:
            aging[k] += pos.aging[k]
        rows.append(
            ContractLine(
                pk,
                number,
                amount,
                pos.balance,
                pos.retention_outstanding,
                retention_due_on,
                pos.unshipped,
                pos.overdue,
                tuple(pos.aging.items()),
            )
        )
    return StatementOfAccount(
        customer_id=customer.pk,
        customer_name=customer.name,
        as_of=as_of,
        lines=tuple(lines),
        contracts=tuple(rows),
        buckets=keys,
        aging=tuple(aging.items()),
        invoiced=sum((ln.debit for ln in lines), ZERO),
        credited=sum((ln.credit for ln in lines), ZERO),
        balance=sum((r.balance for r in rows), ZERO),
        retention_outstanding=sum((r.retention_outstanding for r in rows), ZERO),
        unshipped=sum((r.unshipped for r in rows), ZERO),
        overdue=sum((r.overdue for r in rows), ZERO),
    )


def collection_notes(*, customer: Customer, limit: int = 100) -> list[CollectionNote]:
    return list(CollectionNote.objects.filter(customer=customer).select_related("author", "contract")[:limit])


def promises_missed(*, today: dt.date, since: dt.date) -> list[tuple[CollectionNote, Decimal]]:
    """Promises to pay whose date fell in [since, today) with less received from the customer, from the day of
    the promise to its date, than promised: (note, received)."""
    from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    received = (
        Payment.objects.filter(
            contract__customer_id=OuterRef("customer_id"),
            paid_on__gte=OuterRef("happened_on"),
            paid_on__lte=OuterRef("promised_on"),
        )
        .order_by()
        .values("contract__customer_id")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    notes = (
        CollectionNote.objects.filter(kind="promise", promised_on__gte=since, promised_on__lt=today)
        .annotate(received=Coalesce(Subquery(received, output_field=money), Value(ZERO), output_field=money))
        .select_related("customer", "contract")
        .order_by("promised_on", "id")
    )
    return [(n, n.received) for n in notes if n.received < (n.promised_amount or ZERO)]
