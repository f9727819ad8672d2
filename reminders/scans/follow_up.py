"""After-sale follow-up: N days after a contract's first delivery, per product category."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from sales.models import Contract, ContractLine, ContractStatus

from ..models import FollowUpRule, ReminderKind, ReminderSettings
from .registry import register
from .rows import BATCH, CONTRACT_ROW, customer_label, first_shipment, insert, reminder_row, shipped_between


def scan_follow_up(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """N days after a contract's first delivery, per product category (FollowUpRule; '' = other categories)."""
    today = timezone.localdate(now)
    rules = list(FollowUpRule.objects.filter(is_active=True))
    explicit = [r.category for r in rules if r.category]
    created = 0
    for rule in rules:
        lines = ContractLine.objects.filter(contract=OuterRef("pk"))
        if rule.category:
            lines = lines.filter(product__category=rule.category)
        else:
            lines = lines.exclude(product__category__in=explicit)
        hi = today - dt.timedelta(days=rule.days_after_delivery)
        lo = hi - dt.timedelta(days=cfg.catch_up_days)
        rows = (
            Contract.objects.exclude(status__in=[ContractStatus.CANCELLED, ContractStatus.REJECTED])
            .filter(shipped_between(lo, hi))
            .annotate(first_shipped=first_shipment())
            .filter(first_shipped__range=(lo, hi))
            .filter(Exists(lines))
            .order_by()
            .values_list(
                *CONTRACT_ROW,
                "first_shipped",
            )
        )
        label = rule.category or "*"
        created += insert(
            reminder_row(
                ReminderKind.FOLLOW_UP,
                f"contract:{cid}:{label}",
                owner_id=owner,
                unit_id=unit,
                customer_id=cust,
                subject=("sales.contract", cid),
                due_on=shipped + dt.timedelta(days=rule.days_after_delivery),
                send_after=now,
                params={
                    "contract": number,
                    "customer": customer_label(name, short),
                    "category": rule.category,
                    "shipped_on": shipped.isoformat(),
                },
            )
            for cid, number, owner, unit, cust, name, short, shipped in rows.iterator(chunk_size=BATCH)
        )
    return created


register(ReminderKind.FOLLOW_UP, scan=scan_follow_up)
