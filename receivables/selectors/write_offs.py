"""A bad-debt write-off as the apps above read it (commission posts its joint liability from this)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ..models import WriteOff


@dataclass(frozen=True)
class WriteOffLiability:
    id: int
    contract_id: int
    contract_number: str
    status: str
    amount: Decimal  # written off
    liability: Decimal  # the joint liability (連帶賠償) recorded against `liable_id`
    liable_id: int
    reason: str
    approved_on: dt.date | None
    approved_by_id: int | None
    approved_by: str
    reversed_on: dt.date | None
    reversed_by_id: int | None
    reversed_by: str
    reversal_note: str


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def write_off_liability(pk: int) -> WriteOffLiability | None:
    """One write-off with its liability, approver and reversal (one query); None if there is no such row."""
    w = WriteOff.objects.select_related("contract", "decided_by", "reversed_by").filter(pk=pk).first()
    if w is None:
        return None
    return WriteOffLiability(
        id=w.pk,
        contract_id=w.contract_id,
        contract_number=w.contract.number,
        status=w.status,
        amount=w.amount,
        liability=w.liability_amount,
        liable_id=w.liable_id,
        reason=w.reason,
        approved_on=w.decided_on,
        approved_by_id=w.decided_by_id,
        approved_by=_name(w.decided_by),
        reversed_on=w.reversed_on,
        reversed_by_id=w.reversed_by_id,
        reversed_by=_name(w.reversed_by),
        reversal_note=w.reversal_note,
    )
