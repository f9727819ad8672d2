"""Reads for the scan, pages and API. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import due
from sales.models import SOLD_STATUSES, Contract, ContractLine, Product

from .models import (
    Audience,
    CustomerMessagingPreference,
    DeliveryStatus,
    Notification,
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderState,
)
from .prediction import PurchaseStats, ReorderPrediction, predict, season_factor


def _reorder_sql(*, customer_filter: bool) -> str:
    line = ContractLine._meta.db_table
    contract = Contract._meta.db_table
    where_customer = "AND c.customer_id = %s" if customer_filter else ""
    # One pass: purchase days per (customer, product), the gaps between them, then per-pair statistics.
    return f"""
        WITH p AS (
            SELECT c.customer_id AS cid, l.product_id AS pid, c.signed_on AS d, SUM(l.quantity) AS q
            FROM {line} l JOIN {contract} c ON c.id = l.contract_id
            WHERE c.status = ANY(%s) AND c.signed_on IS NOT NULL {where_customer}
            GROUP BY 1, 2, 3
        ), g AS (
            SELECT cid, pid, d, q,
                   d - LAG(d) OVER (PARTITION BY cid, pid ORDER BY d) AS gap,
                   ROW_NUMBER() OVER (PARTITION BY cid, pid ORDER BY d DESC) AS rn
            FROM p
        )
        SELECT cid, pid, COUNT(*), MIN(d), MAX(d),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap),
               SUM(q), MAX(q) FILTER (WHERE rn = 1), AVG(q), STDDEV_SAMP(q)
        FROM g GROUP BY cid, pid HAVING COUNT(*) >= 2
    """  # noqa: S608 - table names come from model metadata, values are parameters


def seasonal_factors(*, product_ids: list[int] | None = None) -> dict[tuple[int, int], float]:
    """(product, month) -> how much longer (>1) or shorter (<1) the product's reorder intervals that start in that
    month are than its intervals on average, over every customer's history (prediction.seasonal_factor's rule:
    only months with SEASON_MIN_INTERVALS intervals, clipped). Months absent = 1.0."""
    line = ContractLine._meta.db_table
    contract = Contract._meta.db_table
    where_product = "AND l.product_id = ANY(%s)" if product_ids is not None else ""
    sql = f"""
        WITH p AS (
            SELECT DISTINCT c.customer_id AS cid, l.product_id AS pid, c.signed_on AS d
            FROM {line} l JOIN {contract} c ON c.id = l.contract_id
            WHERE c.status = ANY(%s) AND c.signed_on IS NOT NULL {where_product}
        ), g AS (
            SELECT pid, LAG(d) OVER (PARTITION BY cid, pid ORDER BY d) AS prev, d
            FROM p
        )
        SELECT pid, EXTRACT(MONTH FROM prev)::int, SUM(d - prev), COUNT(*)
        FROM g WHERE prev IS NOT NULL GROUP BY 1, 2
    """  # noqa: S608 - table names come from model metadata, values are parameters
    params: list = [list(SOLD_STATUSES)]
    if product_ids is not None:
        params.append(product_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    totals: dict[int, tuple[int, int]] = {}
    for pid, _month, total, count in rows:
        t, n = totals.get(pid, (0, 0))
        totals[pid] = (t + total, n + count)
    return {
        (pid, month): factor
        for pid, month, total, count in rows
        if (
            factor := season_factor(
                month_sum=total, month_count=count, all_sum=totals[pid][0], all_count=totals[pid][1]
            )
        )
        != 1.0
    }


def reorder_stats(*, customer_id: int | None = None, chunk: int = 5000) -> Iterator[PurchaseStats]:
    """Purchase statistics of every (customer, product) bought on at least two days, streamed."""
    params: list = [list(SOLD_STATUSES)]
    if customer_id is not None:
        params.append(customer_id)
    with connection.cursor() as cursor:
        cursor.execute(_reorder_sql(customer_filter=customer_id is not None), params)
        while rows := cursor.fetchmany(chunk):
            for cid, pid, n, first, last, median, total, last_q, mean, std in rows:
                yield PurchaseStats(
                    customer_id=cid,
                    product_id=pid,
                    purchases=n,
                    first_on=first,
                    last_on=last,
                    median_interval=median,
                    total_quantity=total,
                    last_quantity=last_q,
                    mean_quantity=mean,
                    stddev_quantity=std,
                )


@dataclass(frozen=True)
class ProductPrediction:
    product: Product
    prediction: ReorderPrediction


@dataclass(frozen=True)
class CustomerPanel:
    predictions: list[ProductPrediction]
    single_purchase_products: int
    preference: CustomerMessagingPreference | None
    open_reminders: list[Reminder]


def customer_reorder_predictions(*, customer_id: int, today: dt.date | None = None) -> list[ProductPrediction]:
    today = today or timezone.localdate()
    stats = list(reorder_stats(customer_id=customer_id))
    if not stats:
        return []  # no repeat purchases: no need to read the settings (one query less on every card)
    lead = ReminderSettings.load().reorder_lead_days
    seasons = seasonal_factors(product_ids=sorted({s.product_id for s in stats}))
    preds = [
        p
        for s in stats
        if (p := predict(s, today=today, lead_days=lead, season=seasons.get((s.product_id, s.last_on.month), 1.0)))
    ]
    products = Product.objects.in_bulk([p.product_id for p in preds])
    out = [ProductPrediction(product=products[p.product_id], prediction=p) for p in preds]
    out.sort(key=lambda x: (x.prediction.lapsed, x.prediction.expected_on))
    return out


def customer_panel(*, customer, user) -> CustomerPanel:
    """What the customer card shows: reorder predictions with their basis, messaging consent, open reminders.

    A fixed number of queries whatever the history: settings, statistics, products, preference, reminders.
    """
    predictions = customer_reorder_predictions(customer_id=customer.pk)
    bought_products = (
        ContractLine.objects.filter(
            contract__customer_id=customer.pk,
            contract__status__in=SOLD_STATUSES,
            contract__signed_on__isnull=False,
        )
        .values("product_id")
        .distinct()
        .count()
    )
    preference = CustomerMessagingPreference.objects.filter(customer_id=customer.pk).first()
    open_reminders = list(
        Reminder.objects.visible_to(user)
        .filter(customer_id=customer.pk, state=ReminderState.OPEN)
        .exclude(status=DeliveryStatus.CANCELLED)
        .select_related("owner")
        .order_by("due_on", "id")[:10]
    )
    return CustomerPanel(
        predictions=predictions,
        single_purchase_products=max(0, bought_products - len(predictions)),
        preference=preference,
        open_reminders=open_reminders,
    )


def card_filing_shown(*, today: dt.date, due: dt.date, lead_days: int) -> bool:
    """The monthly card filing is reminded and shown in the manager's inbox from `lead_days` before its last
    on-time day `due` (the policy value `ReminderSettings.card_filing_lead_days`)."""
    return today >= due - dt.timedelta(days=lead_days)


def card_filing_lead_days() -> Coalesce:
    """`ReminderSettings.card_filing_lead_days` as an SQL expression, so the inbox badge reads it in its one
    statement (the field's default when no settings row exists)."""
    days = ReminderSettings.objects.filter(pk=1).values("card_filing_lead_days")[:1]
    default = ReminderSettings._meta.get_field("card_filing_lead_days").get_default()
    return Coalesce(Subquery(days, output_field=IntegerField()), Value(default))


def due_lookback_days() -> Coalesce:
    """How far back a to-do list chases what fell due: the reminder settings' catch-up window (a policy value),
    as an SQL expression so the inbox badge reads it in its one statement."""
    days = ReminderSettings.objects.filter(pk=1).values("catch_up_days")[:1]
    return Coalesce(Subquery(days, output_field=IntegerField()), Value(due.LOOKBACK_DAYS))


def reminder_inbox(*, user, tab: str = "due"):
    """The user's own staff reminders by tab: due (open), snoozed, done, failed; team for managers."""
    base = Reminder.objects.visible_to(user).select_related("customer", "owner")
    if tab == "team":
        if not (user.is_manager or user.is_company_wide):
            return base.none()
        return base.filter(audience=Audience.STAFF, state=ReminderState.OPEN).order_by("due_on", "id")
    mine = base.for_inbox(user)
    if tab == "snoozed":
        return mine.filter(state=ReminderState.SNOOZED).order_by("snoozed_until", "id")
    if tab == "done":
        return mine.filter(state=ReminderState.DONE).order_by("-done_at", "-id")
    if tab == "failed":
        return base.filter(status=DeliveryStatus.FAILED).order_by("-updated_at", "-id")
    open_ = mine.filter(state=ReminderState.OPEN).exclude(status=DeliveryStatus.CANCELLED)
    today = timezone.localdate()
    if tab == "upcoming":
        return open_.filter(due.upcoming_q("due_on", today=today)).order_by("due_on", "id")
    # "Due" is core.due's: due today or overdue (the same list as the home page and the inbox).
    return open_.filter(due.due_q("due_on", today=today, lookback_days=None)).order_by("due_on", "id")


def inbox_counts(*, user) -> dict[str, int]:
    from django.db.models import Count, Q

    mine = Reminder.objects.visible_to(user).for_inbox(user)
    today = timezone.localdate()
    open_ = Q(state=ReminderState.OPEN) & ~Q(status=DeliveryStatus.CANCELLED)
    return mine.aggregate(
        due=Count("id", filter=open_ & due.due_q("due_on", today=today, lookback_days=None)),
        upcoming=Count("id", filter=open_ & due.upcoming_q("due_on", today=today)),
        snoozed=Count("id", filter=Q(state=ReminderState.SNOOZED)),
    )


def unread_notification_count(*, user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def notification_list(*, user):
    return Notification.objects.visible_to(user).order_by("-created_at", "-id")


KIND_LABELS = dict(ReminderKind.choices)
