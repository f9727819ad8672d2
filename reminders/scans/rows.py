"""What every scan shares: building a reminder row and inserting rows with ON CONFLICT (dedup_key) DO NOTHING."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from sales.models import Shipment

from ..models import Audience, Reminder, ReminderKind

BATCH = 2000
# the contract fields every contract-based reminder reads: id, number, owner, unit, customer and its names
CONTRACT_ROW = ("id", "number", "owner_id", "unit_id", "customer_id", "customer__name", "customer__short_name")


def customer_label(name: str, short_name: str) -> str:
    return short_name or name


def reminder_row(
    kind: ReminderKind,
    key: str,
    *,
    owner_id: int,
    subject: tuple[str, int],
    due_on: dt.date,
    send_after: dt.datetime,
    params: dict[str, Any],
    unit_id: int | None = None,
    customer_id: int | None = None,
    audience: str = Audience.STAFF,
) -> Reminder:
    """One reminder row. Its dedup key is `<kind>:<key>` (key = subject:period[:audience]): the same reminder is
    never created twice. `subject` is (app_label.model, id) of what the reminder is about."""
    subject_type, subject_id = subject
    return Reminder(
        kind=kind,
        audience=audience,
        dedup_key=f"{ReminderKind(kind).value}:{key}",
        owner_id=owner_id,
        unit_id=unit_id,
        customer_id=customer_id,
        subject_type=subject_type,
        subject_id=subject_id,
        due_on=due_on,
        send_after=send_after,
        params=params,
    )


def insert(rows: Iterable[Reminder]) -> int:
    """Insert reminders, skipping dedup keys that exist. Returns the number of candidate rows."""
    count = 0
    batch: list[Reminder] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            Reminder.objects.bulk_create(batch, ignore_conflicts=True)
            count += len(batch)
            batch = []
    if batch:
        Reminder.objects.bulk_create(batch, ignore_conflicts=True)
        count += len(batch)
    return count


def first_shipment() -> Subquery:
    return Subquery(Shipment.objects.filter(contract=OuterRef("pk")).order_by("shipped_on").values("shipped_on")[:1])


def shipped_between(lo: dt.date, hi: dt.date) -> Exists:
    """Cheap pre-filter on the shipped_on index: only contracts with a delivery inside the window."""
    return Exists(Shipment.objects.filter(contract=OuterRef("pk"), shipped_on__range=(lo, hi)))
