"""Receivable positions computed in Python by receivables.rules: contracts' facts loaded in four queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from sales import selectors as sales_selectors
from sales.models import Contract, Invoice, Payment, Shipment

from .. import rules
from ..models import WriteOff, WriteOffStatus
from .policy import policy_for


@dataclass(frozen=True)
class ContractFacts:
    terms: rules.Terms
    shipments: tuple[rules.ShipmentFact, ...]
    invoices: tuple[rules.InvoiceFact, ...]
    payments: tuple[rules.PaymentFact, ...]


def write_off_credits(contract_ids: Iterable[int]) -> dict[int, list[rules.PaymentFact]]:
    """The approved (and reversed) bad-debt write-offs of the contracts as credits of their streams
    (`rules.write_off_credits`), keyed by contract id: one query."""
    out: dict[int, list[rules.PaymentFact]] = defaultdict(list)
    for cid, pk, amount, approved_on, reversed_on in (
        WriteOff.objects.filter(
            contract_id__in=list(contract_ids),
            status__in=[WriteOffStatus.APPROVED, WriteOffStatus.REVERSED],
            decided_on__isnull=False,
        )
        .order_by("decided_on", "pk")
        .values_list("contract_id", "pk", "amount", "decided_on", "reversed_on")
    ):
        if approved_on is not None:  # filtered above; the column is nullable for proposed rows
            out[cid].extend(rules.write_off_credits(pk, amount, approved_on, reversed_on))
    return dict(out)


def facts_for(contract_ids: Iterable[int]) -> dict[int, ContractFacts]:
    """The receivables facts of many contracts in six queries, keyed by contract id."""
    ids = list(contract_ids)
    ships: dict[int, list[rules.ShipmentFact]] = defaultdict(list)
    for cid, pk, on, value in Shipment.objects.filter(contract_id__in=ids).values_list(
        "contract_id", "pk", "shipped_on", "amount"
    ):
        ships[cid].append(rules.ShipmentFact(pk, on, value))
    invs: dict[int, list[rules.InvoiceFact]] = defaultdict(list)
    for cid, pk, on, amount in Invoice.objects.filter(contract_id__in=ids).values_list(
        "contract_id", "pk", "issued_on", "amount"
    ):
        invs[cid].append(rules.InvoiceFact(pk, on, amount))
    pays: dict[int, list[rules.PaymentFact]] = defaultdict(list)
    for cid, pk, on, amount, kind, inv in Payment.objects.filter(contract_id__in=ids).values_list(
        "contract_id", "pk", "paid_on", "amount", "kind", "invoice_id"
    ):
        pays[cid].append(rules.PaymentFact(pk, on, amount, kind, inv))
    for cid, credits in write_off_credits(ids).items():
        pays[cid].extend(credits)
    # Approved returns (退貨) credit the customer from the day they were approved, like an unnamed payment.
    for cid, pk, on, amount in (
        sales_selectors.approved_returns()
        .filter(contract_id__in=ids)
        .values_list("contract_id", "pk", "decided_on", "amount")
    ):
        pays[cid].append(rules.PaymentFact(-pk, on, amount, rules.SALES_RETURN))
    out = {}
    for pk, amount, retention, retention_due_on in Contract.objects.filter(pk__in=ids).values_list(
        "pk", "amount", "retention_amount", "retention_due_on"
    ):
        out[pk] = ContractFacts(
            rules.Terms(pk, amount, retention, retention_due_on),
            tuple(ships[pk]),
            tuple(invs[pk]),
            tuple(pays[pk]),
        )
    return out


def positions_for(
    *, contract_ids: Iterable[int], as_of: dt.date | None = None, policy: rules.Policy | None = None
) -> dict[int, rules.Position]:
    """Each contract's receivable on a day (per shipment and invoice, aging, retention apart): four queries."""
    as_of = as_of or timezone.localdate()
    policy = policy or policy_for(as_of)
    return {
        pk: rules.position(f.terms, f.shipments, f.invoices, f.payments, as_of, policy)
        for pk, f in facts_for(contract_ids).items()
    }


def position_for(*, contract: Contract, as_of: dt.date | None = None) -> rules.Position:
    return positions_for(contract_ids=[contract.pk], as_of=as_of)[contract.pk]
