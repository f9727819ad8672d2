"""Returns (退貨): goods of a shipped contract line sent back, recorded by the salesperson, decided by the manager.

An approved return counts on the day it is approved (`decided_on`): a negative sale of that month in the reports,
a credit on the contract's receivable (receivables.rules, like a payment from that day) and less commission in
that month (commission.rules.returns). Nothing of an earlier month is rewritten.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.money import ZERO, round_money
from sales import approvers as who
from sales import permissions, workflows
from sales.models import ContractLine, ReturnStatus, SalesReturn, ShipmentLine

from ._common import _dec, _event, _lock_contract
from .fulfilment import SHIPPABLE

OPEN_OR_APPROVED = (ReturnStatus.PENDING, ReturnStatus.APPROVED)


def returnable_quantity(line: ContractLine, *, exclude_return_id: int | None = None) -> Decimal:
    """What of a line may still be returned: shipped less what is already returned or awaiting a decision."""
    shipped = ShipmentLine.objects.filter(contract_line=line).aggregate(s=Sum("quantity"))["s"] or ZERO
    returned = SalesReturn.objects.filter(contract_line=line, status__in=OPEN_OR_APPROVED)
    if exclude_return_id is not None:
        returned = returned.exclude(pk=exclude_return_id)
    return shipped - (returned.aggregate(s=Sum("quantity"))["s"] or ZERO)


def _deciders(sales_return: SalesReturn, actor: User) -> list[User]:
    contract = sales_return.contract
    if contract.owner.is_manager:
        return who.gm_office_users(exclude=actor.pk)
    return [u for u in who.unit_managers(contract.unit_id, exclude=actor.pk) if u.pk != contract.owner_id]


def _publish(sales_return: SalesReturn, *, action: str, actor: User, recipients, note: str = "") -> None:
    contract = sales_return.contract
    line = sales_return.contract_line
    events.publish_for(
        workflows.SALES_RETURN,
        sales_return,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "number": contract.number,
            "customer": contract.customer.name,
            "product": f"{line.product.code} {line.product.name}",
            "quantity": f"{sales_return.quantity.normalize():f}",
            "amount": f"{sales_return.amount:,.2f}",
            "url": reverse("sales:contract_detail", args=[contract.pk]),
        },
    )


@transaction.atomic
def return_record(
    *,
    actor: User,
    contract,
    contract_line: ContractLine | int,
    quantity: object,
    reason: str,
    returned_on: dt.date,
    amount: object | None = None,
) -> SalesReturn:
    """Record a return of shipped goods of one contract line; it waits for the manager's approval. The amount
    credited defaults to quantity × the line's unit price and may not exceed it."""
    contract = _lock_contract(contract)
    if not permissions.may_record_return(actor, contract):
        raise PermissionDenied(_("Only the salesperson or their manager may record a return."))
    if contract.status not in SHIPPABLE:
        raise ApplicationError(_("Only a signed contract has goods to return."), field="status", code="state")
    line_id = contract_line.pk if isinstance(contract_line, ContractLine) else contract_line
    line = contract.lines.select_related("product").filter(pk=line_id).first()
    if line is None:
        raise ApplicationError(_("The line does not belong to this contract."), field="contract_line")
    qty = _dec(quantity, field="quantity")
    if qty <= 0:
        raise ApplicationError(_("The quantity must be positive."), field="quantity")
    left = returnable_quantity(line)
    if qty > left:
        raise ApplicationError(
            _("%(product)s: only %(left)s shipped and not yet returned.")
            % {"product": line.product.code, "left": f"{max(left, ZERO):f}"},
            field="quantity",
            code="over_returned",
        )
    value = round_money(qty * line.unit_price)
    credit = value if amount in (None, "") else round_money(_dec(amount, field="amount"))
    if credit <= 0 or credit > value:
        raise ApplicationError(
            _("The amount credited is between 0.01 and the returned goods' value (%(value)s).")
            % {"value": f"{value:,.2f}"},
            field="amount",
            code="too_large" if credit > value else "invalid",
        )
    if not (reason or "").strip():
        raise ApplicationError(_("Give the reason."), field="reason", code="required")
    if returned_on > timezone.localdate():
        raise ApplicationError(_("The return date cannot be in the future."), field="returned_on", code="future")
    if contract.signed_on and returned_on < contract.signed_on:
        raise ApplicationError(_("The return date is before the signing date."), field="returned_on")
    sales_return = SalesReturn.objects.create(
        contract=contract,
        contract_line=line,
        quantity=qty,
        amount=credit,
        reason=reason.strip(),
        returned_on=returned_on,
        requested_by=actor,
    )
    _event(
        contract,
        actor=actor,
        action="return_recorded",
        from_status=contract.status,
        note=sales_return.reason,
        data={"product": line.product.code, "quantity": str(qty), "amount": str(credit)},
    )
    _publish(
        sales_return,
        action="submitted",
        actor=actor,
        recipients=_deciders(sales_return, actor),
        note=sales_return.reason,
    )
    return sales_return


@transaction.atomic
def return_decide(*, actor: User, sales_return: SalesReturn, action: str, note: str = "") -> SalesReturn:
    """Approve or reject a recorded return (the workflow table says who and when). Approval counts it today."""
    _lock_contract(sales_return.contract_id)
    sales_return = (
        SalesReturn.objects.select_for_update(of=("self",))
        .select_related("contract__owner", "contract__customer", "contract_line__product")
        .get(pk=sales_return.pk)
    )
    transition = workflows.SALES_RETURN.check(actor, sales_return, action)
    if transition.needs_reason and not (note or "").strip():
        raise ApplicationError(_("Give the reason."), field="note", code="required")
    if transition.target == ReturnStatus.APPROVED:
        left = returnable_quantity(sales_return.contract_line, exclude_return_id=sales_return.pk)
        if sales_return.quantity > left:  # a shipment record cannot shrink, but stay safe
            raise ApplicationError(
                _("Only %(left)s shipped and not yet returned.") % {"left": f"{max(left, ZERO):f}"},
                field="quantity",
                code="over_returned",
            )
    sales_return.status = transition.target
    sales_return.decided_by = actor
    sales_return.decided_on = timezone.localdate()
    sales_return.decision_note = (note or "").strip()
    sales_return.save(update_fields=["status", "decided_by", "decided_on", "decision_note", "updated_at"])
    contract = sales_return.contract
    _event(
        contract,
        actor=actor,
        action=f"return_{transition.target}",
        from_status=contract.status,
        note=sales_return.decision_note,
        data={"return_id": sales_return.pk, "amount": str(sales_return.amount)},
    )
    recipients = sorted({sales_return.requested_by_id, contract.owner_id})
    _publish(
        sales_return, action=transition.target, actor=actor, recipients=recipients, note=sales_return.decision_note
    )
    return sales_return
