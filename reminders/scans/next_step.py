"""Next step: a contact log's next step, `next_step_lead_days` before its date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from customers.models import ContactLog

from ..models import ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, customer_label, insert, reminder_row


def scan_next_step(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """A contact log's next step, `next_step_lead_days` before its date, to the customer's salesperson."""
    today = timezone.localdate(now)
    rows = (
        ContactLog.objects.filter(
            next_step_date__gte=today - dt.timedelta(days=cfg.catch_up_days),
            next_step_date__lte=today + dt.timedelta(days=cfg.next_step_lead_days),
        )
        .exclude(next_step="")
        .order_by()
        .values_list(
            "id",
            "next_step",
            "next_step_date",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "customer__owner_id",
            "customer__unit_id",
            "author_id",
        )
    )
    return insert(
        reminder_row(
            ReminderKind.NEXT_STEP,
            f"log:{log_id}:{date.isoformat()}",
            owner_id=owner or author,
            unit_id=unit,
            customer_id=cust,
            subject=("customers.contactlog", log_id),
            due_on=date,
            send_after=now,
            params={"customer": customer_label(name, short), "next_step": step, "date": date.isoformat()},
        )
        for log_id, step, date, cust, name, short, owner, unit, author in rows.iterator(chunk_size=BATCH)
    )


register(ReminderKind.NEXT_STEP, scan=scan_next_step)
