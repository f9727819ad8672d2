"""The joint liability (連帶賠償) of a bad-debt write-off, posted to the liable salesperson's commission statement.

The receivables app (below) approves and reverses write-offs and publishes the handoff (`core.events`); this app
subscribes (`on_write_off`, registered in `CommissionConfig.ready()`) and reads the write-off through the
receivables selectors. The rule book: "bad debts caused by the salesperson are recorded against them (joint
liability)" — the salesperson only, not their manager; the amount is the liability recorded on the write-off.

- Approved: one deduction line (−liability) on the salesperson's statement of the month of approval (the first
  open month if that one is already closed), a `CommissionCorrection` of kind `liability` with its inputs.
- Reversed: one line giving it back (+liability) in the month of the reversal, kind `liability_reversal`.
- Idempotent: one line per write-off and kind (a unique constraint; an event seen twice posts nothing more).
- A liability of 0 posts nothing. The salesperson is told once, in their language (`commission.liability`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.urls import reverse

from accounts.models import User
from core import events, periods
from core.models import Activity
from receivables import selectors as receivables_selectors

from ..models import ClosedMonth, CommissionCorrection, CorrectionKind
from . import CLOSE_LOCK_KEY  # the month-closing lock: a line never lands in a month being closed

WRITE_OFF_DOCUMENT = "receivables.write_off"
LIABILITY_DOCUMENT = "commission.liability"


def _open_month(day: dt.date) -> dt.date:
    """The month of `day`, or the first open month if that one is already closed."""
    month = periods.month_start(day)
    last = ClosedMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if last is not None and month <= last:
        return periods.add_months(last, 1)
    return month


@transaction.atomic
def liability_post(*, write_off_id: int, reversal: bool = False) -> CommissionCorrection | None:
    """Post the write-off's joint liability (or, `reversal`, credit it back): at most one line each."""
    w = receivables_selectors.write_off_liability(write_off_id)
    if w is None or w.liability <= 0 or w.approved_on is None or w.approved_by_id is None:
        return None
    if reversal and (w.reversed_on is None or w.reversed_by_id is None):
        return None
    kind = CorrectionKind.LIABILITY_REVERSAL if reversal else CorrectionKind.LIABILITY
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLOSE_LOCK_KEY])
    existing = CommissionCorrection.objects.filter(write_off_id=w.id, kind=kind).first()
    if existing is not None:
        return existing
    if reversal and not CommissionCorrection.objects.filter(write_off_id=w.id, kind=CorrectionKind.LIABILITY).exists():
        return None  # nothing was charged (the write-off predates this posting): nothing to give back
    on = w.reversed_on if reversal else w.approved_on
    actor_id = w.reversed_by_id if reversal else w.approved_by_id
    assert on is not None and actor_id is not None
    liable = User.objects.only("id", "unit_id").get(pk=w.liable_id)
    month = _open_month(on)
    inputs = {
        "write_off_id": w.id,
        "contract": w.contract_number,
        "written_off": str(w.amount),
        "liability": str(w.liability),
        "approved_on": w.approved_on.isoformat(),
        "approved_by": w.approved_by,
        "reason": w.reason,
    }
    if reversal:
        inputs.update(reversed_on=on.isoformat(), reversed_by=w.reversed_by, reversal_note=w.reversal_note)
    line = CommissionCorrection.objects.create(
        salesperson=liable,
        unit_id=liable.unit_id,
        contract_id=w.contract_id,
        month=month,
        kind=kind,
        amount=w.liability if reversal else -w.liability,
        reason=(w.reversal_note if reversal else w.reason)[:300],
        recorded_by_id=actor_id,
        write_off_id=w.id,
        inputs=inputs,
    )
    events.publish(
        document=LIABILITY_DOCUMENT,
        document_id=line.pk,
        action="credited" if reversal else "charged",
        actor=None,  # the system posts it; the salesperson is always told
        recipients=[liable.pk],
        note=line.reason,
        data={
            "number": w.contract_number,
            "amount": f"{w.amount:,.2f}",
            "liability": f"{w.liability:,.2f}",
            "month": f"{month:%Y-%m}",
            "url": reverse("commission:statement", args=[liable.pk, f"{month:%Y-%m}"]),
        },
    )
    return line


def on_write_off(activity: Activity) -> None:
    """core.events subscriber: a write-off approved or reversed posts (or credits back) its joint liability."""
    if activity.document != WRITE_OFF_DOCUMENT or activity.action not in ("approved", "reversed"):
        return
    liability_post(write_off_id=activity.document_id, reversal=activity.action == "reversed")
