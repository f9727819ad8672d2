"""Membership renewal: remind the owner of a member customer before the renewal date (once per renewal date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from customers.models import Customer
from customers.selectors import memberships_renewing

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, customer_label, insert, reminder_row


def scan_membership_renewal(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Members whose renewal date is today or within the lead days: one reminder per customer and renewal date, to
    the owner (a renewed membership has a new date, so the next renewal is reminded again)."""
    today = timezone.localdate(now)
    rows = memberships_renewing(start=today, end=today + dt.timedelta(days=cfg.membership_renewal_lead_days))

    def build() -> Iterator[Reminder]:
        for cust, name, short, owner, unit, renews_on, level in rows.iterator(chunk_size=BATCH):
            yield reminder_row(
                ReminderKind.MEMBERSHIP_RENEWAL,
                f"customer:{cust}:renew:{renews_on.isoformat()}",
                owner_id=owner,
                unit_id=unit,
                customer_id=cust,
                subject=("customers.customer", cust),
                due_on=renews_on,
                send_after=now,
                params={
                    "customer": customer_label(name, short),
                    "level": level or "",
                    "renews_on": renews_on.isoformat(),
                },
            )

    return insert(build())


def _still_due() -> Exists:
    return Exists(
        Customer.objects.filter(
            pk=OuterRef("subject_id"), tier="member", owner_id=OuterRef("owner_id"), member_renews_on=OuterRef("due_on")
        )
    )


def resolve_membership_renewal(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once the membership was renewed (a new renewal date), ended, or the customer changed hands."""
    return live.exclude(_still_due()).update(**close)


def membership_renewal_still_relevant(reminder: Reminder) -> bool:
    return Customer.objects.filter(
        pk=reminder.subject_id, tier="member", owner_id=reminder.owner_id, member_renews_on=reminder.due_on
    ).exists()


register(
    ReminderKind.MEMBERSHIP_RENEWAL,
    scan=scan_membership_renewal,
    resolve=resolve_membership_renewal,
    still_relevant=membership_renewal_still_relevant,
)
