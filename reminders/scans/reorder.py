"""Reorder: predicted run-outs, to the salesperson and to the customer where they opted in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from customers.models import Customer, CustomerStatus
from customers.selectors import reorder_lead_days_by_customer
from sales.models import Product

from .. import delivery
from ..models import Audience, CustomerMessagingPreference, Reminder, ReminderKind, ReminderSettings
from ..prediction import ReorderPrediction, predict
from ..selectors import reorder_stats, seasonal_factors
from .registry import register
from .rows import BATCH, customer_label, insert, reminder_row


def scan_reorder(*, now: dt.datetime, cfg: ReminderSettings) -> int:
    """Predicted run-outs (median interval or consumption rate), `reorder_lead_days` ahead (or the customer's
    member level's own lead days): the salesperson,
    and the customer where they opted in (sent outside quiet hours, in their language)."""
    today = timezone.localdate(now)
    earliest = today - dt.timedelta(days=cfg.catch_up_days)
    due = []
    seasons = seasonal_factors()
    lead_days = reorder_lead_days_by_customer()  # a member level's own lead time, else the settings'
    for stats in reorder_stats():
        season = seasons.get((stats.product_id, stats.last_on.month), 1.0)
        lead = lead_days.get(stats.customer_id, cfg.reorder_lead_days)
        p = predict(stats, today=today, lead_days=lead, season=season)
        if p is None or p.lapsed or p.remind_on > today or p.remind_on < earliest:
            continue
        due.append(p)
    if not due:
        return 0
    customers: dict[int, tuple] = {}
    ids = sorted({p.customer_id for p in due})
    for start in range(0, len(ids), BATCH):
        for row in (
            Customer.objects.filter(id__in=ids[start : start + BATCH])
            .exclude(status=CustomerStatus.LOST)
            .values_list("id", "name", "short_name", "owner_id", "unit_id")
        ):
            customers[row[0]] = row
    products = dict(Product.objects.filter(id__in={p.product_id for p in due}).values_list("id", "name"))
    prefs = {}
    if cfg.reorder_notify_customer:
        prefs = {
            pref.customer_id: pref
            for pref in CustomerMessagingPreference.objects.filter(customer_id__in=list(customers), opted_in=True)
        }
    return insert(_rows(due, customers=customers, products=products, prefs=prefs, now=now, cfg=cfg))


def _rows(
    due: list[ReorderPrediction],
    *,
    customers: dict[int, tuple],
    products: dict[int, str],
    prefs: dict[int, CustomerMessagingPreference],
    now: dt.datetime,
    cfg: ReminderSettings,
) -> Iterator[Reminder]:
    for p in due:
        cust = customers.get(p.customer_id)
        if cust is None or cust[3] is None:
            continue
        _id, name, short, owner, unit = cust
        key = f"customer:{p.customer_id}:product:{p.product_id}:{p.last_on.isoformat()}"
        params = {
            "customer": customer_label(name, short),
            "product": products.get(p.product_id, ""),
            "product_id": p.product_id,
            "last_on": p.last_on.isoformat(),
            "expected_on": p.expected_on.isoformat(),
            "interval_days": p.interval_days,
            "method": p.method,
            "purchases": p.purchases,
        }
        common = dict(
            owner_id=owner,
            unit_id=unit,
            customer_id=p.customer_id,
            subject=("sales.product", p.product_id),
            due_on=p.expected_on,
            params=params,
        )
        yield reminder_row(ReminderKind.REORDER, f"{key}:staff", send_after=now, **common)
        if p.customer_id in prefs:
            yield reminder_row(
                ReminderKind.REORDER,
                f"{key}:customer",
                audience=Audience.CUSTOMER,
                send_after=delivery.next_allowed_time(now, start=cfg.quiet_start, end=cfg.quiet_end),
                **common,
            )


register(ReminderKind.REORDER, scan=scan_reorder)
