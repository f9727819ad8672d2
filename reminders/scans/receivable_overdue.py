"""Receivable overdue, by the receivables module: a shipment's unpaid part (retention excluded) is overdue the
day after its due date (its shipping date + the policy's grace months, the day interest starts); retention money
the day after the contract's retention due date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.money import round_money
from core.periods import add_months
from receivables import rules
from receivables.selectors import policy_for, positions_for
from sales.models import SOLD_STATUSES, Contract

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, CONTRACT_ROW, customer_label, insert, reminder_row, shipped_between


def overdue_amount(position: rules.Position) -> Decimal:
    """What is overdue on a contract: shipped parts past their due date, plus retention past its due date."""
    amount = position.overdue
    if position.retention_overdue:
        amount += position.retention_outstanding
    return amount


def scan_receivable_overdue(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """One reminder per contract and day something turned overdue (the day after a shipment's due date, the day
    after the retention due date), within `catch_up_days`."""
    today = timezone.localdate(now)
    policy = policy_for(today)
    due_lo, due_hi = today - dt.timedelta(days=cfg.catch_up_days + 1), today - dt.timedelta(days=1)
    # Shipments that fell due in that window (add_months clamps month ends: widen by a few days, then exact).
    lo, hi = add_months(due_lo, -policy.grace_months) - dt.timedelta(days=3), add_months(due_hi, -policy.grace_months)
    candidates = (
        Contract.objects.filter(status__in=SOLD_STATUSES)
        .filter(Q(shipped_between(lo, hi)) | Q(retention_due_on__range=(due_lo, due_hi), retention_amount__gt=0))
        .select_related("customer")
        .only(*CONTRACT_ROW, "amount", "retention_amount", "retention_due_on")
        .order_by("id")
    )

    def rows() -> Iterator[Reminder]:
        start = 0
        while True:
            chunk = list(candidates.filter(pk__gt=start)[:BATCH])
            if not chunk:
                return
            start = chunk[-1].pk
            positions = positions_for(contract_ids=[c.pk for c in chunk], as_of=today, policy=policy)
            for c in chunk:
                yield from _contract_rows(c, positions[c.pk], now=now, window=(due_lo, due_hi))

    return insert(rows())


def _contract_rows(
    c: Contract, pos: rules.Position, *, now: dt.datetime, window: tuple[dt.date, dt.date]
) -> Iterator[Reminder]:
    owed = overdue_amount(pos)
    if owed <= 0:
        return
    lo, hi = window
    due_days = sorted({s.due_on for s in pos.shipments if s.open > 0 and lo <= s.due_on <= hi})
    keyed: list[tuple[str, dt.date, bool]] = [(f"{d + dt.timedelta(days=1)}", d, False) for d in due_days]
    if pos.retention_overdue and pos.retention_due_on and lo <= pos.retention_due_on <= hi:
        keyed.append((f"retention:{pos.retention_due_on}", pos.retention_due_on, True))
    for key, due, is_retention in keyed:
        yield reminder_row(
            ReminderKind.RECEIVABLE_OVERDUE,
            f"contract:{c.pk}:{key}",
            owner_id=c.owner_id,
            unit_id=c.unit_id,
            customer_id=c.customer_id,
            subject=("sales.contract", c.pk),
            due_on=due,
            send_after=now,
            params={
                "contract": c.number,
                "customer": customer_label(c.customer.name, c.customer.short_name),
                "due_on": due.isoformat(),
                "outstanding": str(round_money(owed)),
                "retention": is_retention,
            },
        )


def resolve_receivable_overdue(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once nothing of the contract is overdue any more."""
    open_recv = dict(live.values_list("pk", "subject_id").order_by())
    if not open_recv:
        return 0
    positions = positions_for(contract_ids=set(open_recv.values()), as_of=timezone.localdate(now))
    settled = [pk for pk, cid in open_recv.items() if cid not in positions or overdue_amount(positions[cid]) <= 0]
    if not settled:
        return 0
    return live.filter(pk__in=settled).update(**close)


def receivable_overdue_still_relevant(reminder: Reminder) -> bool:
    positions = positions_for(contract_ids=[reminder.subject_id], as_of=timezone.localdate())
    return reminder.subject_id in positions and overdue_amount(positions[reminder.subject_id]) > 0


register(
    ReminderKind.RECEIVABLE_OVERDUE,
    scan=scan_receivable_overdue,
    resolve=resolve_receivable_overdue,
    still_relevant=receivable_overdue_still_relevant,
)
