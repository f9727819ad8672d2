"""Pool release warning: the customers app's pool sweep warned the owner; told once per warning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from customers.models import Customer, OwnershipEvent, OwnershipEventKind
from customers.selectors import pool_policy_for

from ..models import Reminder, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, customer_label, insert, reminder_row


def _release_on(warned_at: dt.datetime, warning_days: int) -> dt.date:
    """The day the customers app's nightly pool sweep releases a customer warned at `warned_at` (still idle)."""
    return timezone.localdate(warned_at + dt.timedelta(days=warning_days))


def scan_pool_release(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """The customers app's pool-release warnings (`OwnershipEvent` kind "warn", `Customer.release_warned_at`):
    the owner is told once per warning, with the release date, while the warning still stands."""
    since = now - dt.timedelta(days=cfg.catch_up_days)
    rows = (
        OwnershipEvent.objects.filter(
            kind=OwnershipEventKind.WARN,
            created_at__gte=since,
            customer__release_warned_at__isnull=False,
            customer__owner_id=F("to_owner_id"),
        )
        .order_by()
        .values_list(
            "id",
            "customer_id",
            "customer__name",
            "customer__short_name",
            "to_owner_id",
            "customer__unit_id",
            "customer__release_warned_at",
        )
    )
    # the nightly sweep releases with the pool policy in force on the day it runs
    warning_days = pool_policy_for(timezone.localdate(now)).warning_days

    def build() -> Iterator[Reminder]:
        for event_id, cust, name, short, owner, unit, warned_at in rows.iterator(chunk_size=BATCH):
            release_on = _release_on(warned_at, warning_days)
            yield reminder_row(
                ReminderKind.POOL_RELEASE,
                f"customer:{cust}:warn:{event_id}",
                owner_id=owner,
                unit_id=unit,
                customer_id=cust,
                subject=("customers.customer", cust),
                due_on=release_on,
                send_after=now,
                params={
                    "customer": customer_label(name, short),
                    "release_on": release_on.isoformat(),
                    "warned_at": timezone.localtime(warned_at).isoformat(),
                },
            )

    return insert(build())


def resolve_pool_release(live: QuerySet[Reminder], *, now: dt.datetime, close: dict) -> int:
    """Closed once the warning is gone (owner logged a contact) or the owner changed."""
    return live.exclude(
        Exists(
            Customer.objects.filter(
                pk=OuterRef("subject_id"), owner_id=OuterRef("owner_id"), release_warned_at__isnull=False
            )
        )
    ).update(**close)


def pool_release_still_relevant(reminder: Reminder) -> bool:
    return Customer.objects.filter(
        pk=reminder.subject_id, owner_id=reminder.owner_id, release_warned_at__isnull=False
    ).exists()


register(
    ReminderKind.POOL_RELEASE,
    scan=scan_pool_release,
    resolve=resolve_pool_release,
    still_relevant=pool_release_still_relevant,
)
