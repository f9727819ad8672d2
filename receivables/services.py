"""Writes of the receivables app: the collections log (calls, promises to pay) and bad-debt write-offs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core import events
from core.exceptions import ApplicationError, PermissionDenied
from core.money import round_money
from customers.models import Customer
from sales.models import SOLD_STATUSES, Contract

from . import permissions, workflows
from .models import CollectionNote, NoteKind, WriteOff, WriteOffStatus
from .selectors import position_for


def _money(value: object, *, field: str) -> Decimal:
    try:
        amount = round_money(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter an amount."), field=field, code="invalid") from None
    if not amount.is_finite() or amount.copy_abs() >= Decimal("1e12"):
        raise ApplicationError(_("Enter an amount."), field=field, code="invalid")
    return amount


@transaction.atomic
def collection_note_create(
    *,
    actor: User,
    customer: Customer,
    kind: str,
    happened_on: dt.date,
    note: str = "",
    contract: Contract | None = None,
    promised_on: dt.date | None = None,
    promised_amount: Decimal | None = None,
) -> CollectionNote:
    """Log a call, visit, note or promise to pay (a promise needs its date, on or after today's, and an amount)."""
    if not permissions.can_log_collection(actor):
        raise PermissionDenied(_("You may not log collections."))
    if kind not in NoteKind.values:
        raise ApplicationError(_("Unknown kind."), field="kind")
    if happened_on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."), field="happened_on", code="future")
    if contract is not None and contract.customer_id != customer.pk:
        raise ApplicationError(_("The contract is not this customer's."), field="contract")
    amount = None
    if kind == NoteKind.PROMISE:
        if promised_on is None:
            raise ApplicationError(_("A promise to pay needs its date."), field="promised_on", code="required")
        if promised_on < happened_on:
            raise ApplicationError(
                _("The promised date cannot be before the call."), field="promised_on", code="before"
            )
        if promised_amount is None:
            raise ApplicationError(_("A promise to pay needs its amount."), field="promised_amount", code="required")
        amount = _money(promised_amount, field="promised_amount")
        if amount <= 0:
            raise ApplicationError(_("The amount must be positive."), field="promised_amount")
    else:
        promised_on = None
    return CollectionNote.objects.create(
        customer=customer,
        contract=contract,
        kind=kind,
        happened_on=happened_on,
        promised_on=promised_on,
        promised_amount=amount,
        note=note.strip(),
        author=actor,
    )


def _deciders() -> list[int]:
    return list(
        User.objects.filter(is_active=True, role__in=[Role.FINANCE, Role.GM_OFFICE]).values_list("pk", flat=True)
    )


def _publish(write_off: WriteOff, *, action: str, actor: User, recipients: list[int], note: str) -> None:
    events.publish_for(
        workflows.WRITE_OFF,
        write_off,
        action=action,
        actor=actor,
        recipients=recipients,
        note=note,
        data={
            "amount": f"{write_off.amount:,.2f}",
            "number": write_off.contract.number,
            "liable": write_off.liable.get_full_name() or write_off.liable.get_username(),
            "liability": f"{write_off.liability_amount:,.2f}",
        },
    )


@transaction.atomic
def write_off_propose(
    *, actor: User, contract: Contract, amount: object, reason: str, liability_amount: object
) -> WriteOff:
    """Propose writing off part of a contract's open balance as bad debt, with the salesperson's joint liability
    (連帶賠償, at most the amount written off). Finance or the GM office decide."""
    if not permissions.can_propose_write_off(actor):
        raise PermissionDenied(_("Only finance, managers or the GM office propose a write-off."))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status not in SOLD_STATUSES:
        raise ApplicationError(_("Only signed contracts have receivables."), field="contract", code="state")
    value = _money(amount, field="amount")
    liability = _money(liability_amount, field="liability_amount")
    if not reason.strip():
        raise ApplicationError(_("Give the reason."), field="reason", code="required")
    pending = sum((w.amount for w in contract.write_offs.filter(status=WriteOffStatus.PROPOSED)), Decimal("0"))
    balance = position_for(contract=contract).balance - pending
    if value <= 0 or value > balance:
        raise ApplicationError(
            _("Write off between 0.01 and the open balance (%(balance)s).") % {"balance": f"{balance:,.2f}"},
            field="amount",
            code="too_large",
        )
    if liability < 0 or liability > value:
        raise ApplicationError(
            _("The joint liability is between 0 and the amount written off."), field="liability_amount"
        )
    write_off = WriteOff.objects.create(
        contract=contract,
        amount=value,
        reason=reason.strip(),
        liable_id=contract.owner_id,
        liability_amount=liability,
        proposed_by=actor,
    )
    _publish(write_off, action="proposed", actor=actor, recipients=_deciders(), note=write_off.reason)
    return write_off


@transaction.atomic
def write_off_decide(*, actor: User, write_off: WriteOff, action: str, note: str = "") -> WriteOff:
    """Approve, reject or reverse a write-off (the workflow table says who and when).

    Approving settles the amount from today (it stops accruing interest); reversing reinstates it from today. A
    joint liability is posted to (or credited back on) the liable salesperson's commission statement by the
    commission app, which subscribes to these events and tells the salesperson itself: they are then left out
    of this event's recipients, so they hear of it once."""
    write_off = WriteOff.objects.select_for_update().select_related("contract", "liable").get(pk=write_off.pk)
    transition = workflows.WRITE_OFF.check(actor, write_off, action)
    if transition.needs_reason and not note.strip():
        raise ApplicationError(_("Give the reason."), field="note", code="required")
    write_off.status = transition.target
    if transition.target == WriteOffStatus.REVERSED:
        write_off.reversed_by = actor
        write_off.reversed_on = max(timezone.localdate(), write_off.decided_on or timezone.localdate())
        write_off.reversal_note = note.strip()
        fields = ["status", "reversed_by", "reversed_on", "reversal_note", "updated_at"]
    else:
        write_off.decided_by = actor
        write_off.decided_on = timezone.localdate()
        write_off.decision_note = note.strip()
        fields = ["status", "decided_by", "decided_on", "decision_note", "updated_at"]
    write_off.save(update_fields=fields)
    recipients = {write_off.proposed_by_id, write_off.liable_id}
    if transition.target != WriteOffStatus.REJECTED and write_off.liability_amount > 0:
        recipients.discard(write_off.liable_id)  # told by their commission statement's notification
    _publish(write_off, action=transition.target, actor=actor, recipients=sorted(recipients), note=note.strip())
    return write_off
