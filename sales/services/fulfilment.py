"""After signing: shipments, invoices and payments applied to the contract."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied
from core.money import ZERO, round_money
from sales import selectors
from sales.models import (
    Contract,
    ContractLine,
    ContractStatus,
    Invoice,
    Payment,
    PaymentKind,
    Shipment,
    ShipmentLine,
)

from ._common import _dec, _event, _lock_contract
from .access import may_work_on


@dataclass(frozen=True)
class ShipInput:
    contract_line: ContractLine
    quantity: Decimal


SHIPPABLE = (ContractStatus.SIGNED, ContractStatus.FILED)


@transaction.atomic
def shipment_create(
    *, actor: User, contract: Contract, shipped_on: dt.date, lines: list[ShipInput] | None = None, note: str = ""
) -> Shipment:
    """Record a (partial) shipment; without lines, everything not yet shipped goes. Never ships more than sold."""
    contract = _lock_contract(contract)
    if not (may_work_on(actor, owner_id=contract.owner_id, unit_id=contract.unit_id) or actor.is_admin_role):
        raise PermissionDenied(_("Only the salesperson or their manager may record shipments."))
    if contract.status not in SHIPPABLE:
        raise ApplicationError(_("Only a signed contract can be shipped."), field="status", code="state")
    if shipped_on > timezone.localdate():
        raise ApplicationError(_("The shipment date cannot be in the future."), field="shipped_on", code="future")
    if contract.signed_on and shipped_on < contract.signed_on:
        raise ApplicationError(_("The shipment date is before the signing date."), field="shipped_on")
    contract_lines = {ln.pk: ln for ln in contract.lines.all()}
    shipped = {pk: ZERO for pk in contract_lines}
    for line_id, qty in ShipmentLine.objects.filter(shipment__contract=contract).values_list(
        "contract_line_id", "quantity"
    ):
        shipped[line_id] += qty
    if lines is None:
        lines = [
            ShipInput(contract_line=ln, quantity=ln.quantity - shipped[pk])
            for pk, ln in contract_lines.items()
            if ln.quantity > shipped[pk]
        ]
    wanted = [(contract_lines.get(s.contract_line.pk), _dec(s.quantity, field="lines")) for s in lines]
    wanted = [(ln, q) for ln, q in wanted if q != 0 or ln is None]
    if not wanted:
        raise ApplicationError(_("Nothing left to ship."), field="lines", code="empty")
    for ln, qty in wanted:
        if ln is None:
            raise ApplicationError(_("A line does not belong to this contract."), field="lines")
        if qty < 0:
            raise ApplicationError(_("Quantities must be positive."), field="lines")
        if shipped[ln.pk] + qty > ln.quantity:
            raise ApplicationError(
                _("%(product)s: only %(left)s left to ship.")
                % {"product": ln.product.code, "left": f"{ln.quantity - shipped[ln.pk]:f}"},
                field="lines",
                code="over_shipped",
            )
        shipped[ln.pk] += qty
    shipment = Shipment.objects.create(
        contract=contract,
        shipped_on=shipped_on,
        note=note,
        recorded_by=actor,
        amount=round_money(sum((ln.unit_price * q for ln, q in wanted), ZERO)),
    )
    ShipmentLine.objects.bulk_create(ShipmentLine(shipment=shipment, contract_line=ln, quantity=q) for ln, q in wanted)
    _event(
        contract,
        actor=actor,
        action="shipped",
        from_status=contract.status,
        data={"shipped_on": shipped_on.isoformat(), "amount": str(shipment.amount)},
    )
    return shipment


def _require_finance(actor: User) -> None:
    if not (actor.is_finance or actor.is_admin_role):
        raise PermissionDenied(_("Only finance records payments and invoices."))


@transaction.atomic
def invoice_create(*, actor: User, contract: Contract, number: str, issued_on: dt.date, amount: Decimal) -> Invoice:
    _require_finance(actor)
    contract = _lock_contract(contract)
    if contract.status not in SHIPPABLE:
        raise ApplicationError(_("Only a signed contract can be invoiced."), field="status", code="state")
    amount = round_money(_dec(amount, field="amount"))
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    if Invoice.objects.filter(number=number).exists():
        raise ApplicationError(_("This invoice number is taken."), field="number", code="duplicate")
    invoiced = sum(contract.invoices.values_list("amount", flat=True), ZERO)
    if invoiced + amount > contract.amount:
        raise ApplicationError(
            _("Invoices would exceed the contract amount (%(left)s left to invoice).")
            % {"left": f"{contract.amount - invoiced:,.2f}"},
            field="amount",
            code="too_large",
        )
    try:
        with transaction.atomic():  # a concurrent invoice may take the number between the check and the insert
            invoice = Invoice.objects.create(
                contract=contract, number=number, issued_on=issued_on, amount=amount, recorded_by=actor
            )
    except IntegrityError:
        raise ApplicationError(_("This invoice number is taken."), field="number", code="duplicate") from None
    _event(
        contract,
        actor=actor,
        action="invoiced",
        from_status=contract.status,
        data={"number": number, "amount": str(amount)},
    )
    return invoice


@transaction.atomic
def payment_record(
    *,
    actor: User,
    contract: Contract,
    paid_on: dt.date,
    amount: Decimal,
    kind: str = PaymentKind.PROGRESS,
    reference: str = "",
    invoice: Invoice | int | None = None,
) -> Payment:
    """Apply a payment to a contract. Never more than the balance; retention money only up to the retention
    amount; other kinds only up to the amount less retention outstanding."""
    _require_finance(actor)
    contract = _lock_contract(contract)
    if contract.status not in (ContractStatus.APPROVED, *SHIPPABLE):
        raise ApplicationError(
            _("Payments are recorded on approved or signed contracts."), field="status", code="state"
        )
    if kind not in PaymentKind.values:
        raise ApplicationError(_("Unknown payment kind."), field="kind")
    if kind != PaymentKind.PREPAYMENT and contract.status == ContractStatus.APPROVED:
        raise ApplicationError(_("Before signing only the prepayment can be received."), field="kind", code="state")
    if paid_on > timezone.localdate():
        raise ApplicationError(_("The payment date cannot be in the future."), field="paid_on", code="future")
    if kind != PaymentKind.PREPAYMENT and contract.signed_on and paid_on < contract.signed_on:
        raise ApplicationError(
            _("The payment date cannot be before the contract was signed (%(date)s).") % {"date": contract.signed_on},
            field="paid_on",
            code="before_signing",
        )
    amount = round_money(_dec(amount, field="amount"))
    if amount <= 0:
        raise ApplicationError(_("The amount must be positive."), field="amount")
    invoice_id = invoice.pk if isinstance(invoice, Invoice) else invoice
    if invoice_id is not None and not Invoice.objects.filter(pk=invoice_id, contract=contract).exists():
        raise ApplicationError(_("The invoice does not belong to this contract."), field="invoice", code="invalid")
    balance, retention_paid = selectors.contract_balance(contract=contract)
    retention_left = max(ZERO, contract.retention_amount - retention_paid)
    if kind == PaymentKind.RETENTION:
        limit = min(retention_left, balance)
    else:
        limit = balance - min(retention_left, balance)
    if amount > limit:
        raise ApplicationError(
            _("The payment exceeds what is due: at most %(limit)s for this kind.") % {"limit": f"{limit:,.2f}"},
            field="amount",
            code="too_large",
        )
    payment = Payment.objects.create(
        contract=contract,
        paid_on=paid_on,
        amount=amount,
        kind=kind,
        recorded_by=actor,
        reference=reference,
        invoice_id=invoice_id,
    )
    _event(
        contract,
        actor=actor,
        action="paid",
        from_status=contract.status,
        data={"kind": kind, "amount": str(amount), "paid_on": paid_on.isoformat()},
    )
    return payment
