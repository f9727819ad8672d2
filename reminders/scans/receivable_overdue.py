"""Receivable overdue: by the sales app's aging (a shipment leaving the 0-30 day bucket, retention past due)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.money import round_money
from sales.models import Contract, Shipment
from sales.selectors import BUCKETS, Receivable, receivable_for, receivables_for

from ..models import Reminder, ReminderKind, ReminderSettings
from ..selectors import PURCHASE_STATUSES
from .registry import register
from .rows import BATCH, CONTRACT_ROW, customer_label, insert, reminder_row, shipped_between

OVERDUE_BUCKETS = tuple(b for b in BUCKETS if b != BUCKETS[0])  # past the sales app's first (0-30 day) bucket
OVERDUE_AFTER_DAYS = 30  # the upper bound of that first bucket: `sales.selectors.bucket_for(30) == "0-30"`


def overdue_amount(receivable: Receivable) -> Decimal:
    """The part of a receivable that is overdue by the sales app's aging: shipped value (less retention) older
    than the first bucket, plus retention past its due date."""
    amount = sum((receivable.aging.get(b, Decimal("0")) for b in OVERDUE_BUCKETS), Decimal("0"))
    if receivable.retention_overdue:
        amount += receivable.retention_outstanding
    return amount


def scan_receivable_overdue(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Receivables turning overdue, by the sales app's aging (`sales.selectors.receivables_for`): each shipment's
    value less its retention share is due from its shipment date and overdue once it leaves the 0-30 day bucket
    unpaid (payments clear the oldest shipment first); retention is overdue after `retention_due_on`.

    One reminder per contract and day something turned overdue (a shipment's 31st day, the day after the
    retention due date), within `catch_up_days`."""
    today = timezone.localdate(now)
    hi = today - dt.timedelta(days=OVERDUE_AFTER_DAYS + 1)  # shipped on or before: in the 31-60 bucket today
    lo = hi - dt.timedelta(days=cfg.catch_up_days)
    ret_lo, ret_hi = today - dt.timedelta(days=cfg.catch_up_days + 1), today - dt.timedelta(days=1)
    candidates = (
        Contract.objects.filter(status__in=PURCHASE_STATUSES)
        .filter(Q(shipped_between(lo, hi)) | Q(retention_due_on__range=(ret_lo, ret_hi), retention_amount__gt=0))
        .select_related("customer")
        .only(
            *CONTRACT_ROW,
            "amount",
            "retention_amount",
            "retention_due_on",
        )
        .order_by("id")
    )

    def rows() -> Iterator[Reminder]:
        start = 0
        while True:
            chunk = list(candidates.filter(pk__gt=start)[:BATCH])
            if not chunk:
                return
            start = chunk[-1].pk
            yield from _chunk_rows(chunk, today=today, now=now, shipped=(lo, hi), retention=(ret_lo, ret_hi))

    return insert(rows())


def _chunk_rows(
    chunk: list[Contract],
    *,
    today: dt.date,
    now: dt.datetime,
    shipped: tuple[dt.date, dt.date],
    retention: tuple[dt.date, dt.date],
) -> Iterator[Reminder]:
    """The reminders of one chunk of candidate contracts: one per shipment day and overdue retention."""
    ret_lo, ret_hi = retention
    recs = receivables_for(contracts=chunk, as_of=today)
    ships: dict[int, set[dt.date]] = {}
    for cid, shipped_on in Shipment.objects.filter(
        contract_id__in=[c.pk for c in chunk], shipped_on__range=shipped
    ).values_list("contract_id", "shipped_on"):
        ships.setdefault(cid, set()).add(shipped_on)
    for c in chunk:
        rec = recs[c.pk]
        owed = overdue_amount(rec)
        if owed <= 0:
            continue
        due_days = []
        oldest = rec.oldest_unpaid_shipment
        if oldest is not None and rec.aging and any(rec.aging[b] > 0 for b in OVERDUE_BUCKETS):
            # shipments on or after the oldest unpaid one are (partly) open: each turned overdue on day 31
            due_days += [
                (f"{d + dt.timedelta(days=OVERDUE_AFTER_DAYS)}", d) for d in ships.get(c.pk, ()) if d >= oldest
            ]
        if rec.retention_overdue and ret_lo <= rec.retention_due_on <= ret_hi:
            due_days.append((f"retention:{rec.retention_due_on}", None))
        for key, shipped_on in sorted(due_days):
            due = shipped_on + dt.timedelta(days=OVERDUE_AFTER_DAYS) if shipped_on else rec.retention_due_on
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
                    "retention": shipped_on is None,
                },
            )


def resolve_receivable_overdue(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once nothing of the contract is overdue any more by the sales app's aging."""
    open_recv = dict(live.values_list("pk", "subject_id").order_by())
    if not open_recv:
        return 0
    today = timezone.localdate(now)
    recs = receivables_for(
        contracts=Contract.objects.filter(pk__in=set(open_recv.values())).only(
            "id", "amount", "retention_amount", "retention_due_on"
        ),
        as_of=today,
    )
    settled = [pk for pk, cid in open_recv.items() if cid not in recs or overdue_amount(recs[cid]) <= 0]
    if not settled:
        return 0
    return live.filter(pk__in=settled).update(**close)


def receivable_overdue_still_relevant(reminder: Reminder) -> bool:
    contract = Contract.objects.filter(pk=reminder.subject_id).first()
    if contract is None:
        return False
    return overdue_amount(receivable_for(contract=contract, as_of=timezone.localdate())) > 0


register(
    ReminderKind.RECEIVABLE_OVERDUE,
    scan=scan_receivable_overdue,
    resolve=resolve_receivable_overdue,
    still_relevant=receivable_overdue_still_relevant,
)
