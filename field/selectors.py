"""Field reads: plans in scope, open escalations, and market intelligence for managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import SalesUnit, User
from core.money import round_money
from core.periods import months_in
from reports.selectors import market_price_months

from .models import EscalationStatus, MarketingPlan, MarketReport


def plans_for(user: User) -> QuerySet[MarketingPlan]:
    return MarketingPlan.objects.visible_to(user).select_related("owner", "unit").prefetch_related("goals")


def open_escalations(user: User) -> QuerySet[MarketReport]:
    """Urgent problems waiting for this manager's answer, oldest first."""
    if not user.is_manager and not user.is_gm_office:
        return MarketReport.objects.none()
    qs = MarketReport.objects.filter(escalation=EscalationStatus.OPEN).exclude(author=user)
    if not user.is_gm_office:
        qs = qs.filter(unit_id__in=user.team_unit_ids)
    return qs.select_related("author").order_by("created_at")


def intelligence_units(user: User) -> list[SalesUnit]:
    """The units a user may filter the intelligence page by: their team's, or every unit for company-wide roles."""
    units = SalesUnit.objects.order_by("code", "name")
    return list(units if user.is_company_wide else units.filter(pk__in=user.team_unit_ids))


@dataclass(frozen=True)
class Intelligence:
    # dicts: month, product_code, product_name, competitor, tier, region, average, low, high, seen
    prices: list[Any]
    # dicts: month, reports, conflicts, leads (market reports filed per month)
    activity: list[Any]
    conflicts: list[MarketReport]
    leads: list[MarketReport]
    new_products: list[MarketReport]


def intelligence(*, user: User, start: dt.date, end: dt.date, unit_id: int | None = None) -> Intelligence:
    """Competitor prices per month, product, competitor, tier and region — from the one price table, daily and market
    reports alike (reports.selectors.market_price_months); market reports, conflicts and leads per month;
    channel-conflict cases; leads and new products seen — from what the user may see, in the period. Five queries."""
    reports = MarketReport.objects.visible_to(user).filter(date__gte=start, date__lte=end)
    if unit_id:
        reports = reports.filter(unit_id=unit_id)
    prices = market_price_months(user=user, start=start, end=end, unit_id=unit_id)
    activity = list(
        reports.annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            reports=Count("id"),
            conflicts=Count("id", filter=Q(channel_conflict=True)),
            leads=Count("id", filter=~Q(leads="")),
        )
        .order_by("month")
    )
    keep = reports.select_related("author").order_by("-date", "-id")
    return Intelligence(
        prices=prices,
        activity=activity,
        conflicts=list(keep.filter(channel_conflict=True)[:100]),
        leads=list(keep.exclude(leads="")[:100]),
        new_products=list(keep.exclude(new_products="")[:100]),
    )


def _month(value: dt.date | dt.datetime) -> str:
    return value.strftime("%Y-%m")


def price_chart(
    data: Intelligence, *, start: dt.date, end: dt.date, product: str, tier_labels: dict[str, str]
) -> dict[str, Any]:
    """What the intelligence charts draw (no query): for one product, one line per competitor, tier and region of
    the monthly average price (gaps where nothing was seen), and the reports, conflicts and leads per month."""
    months = [_month(m) for m in months_in(start, end)]
    lines: dict[tuple[str, str, str], dict[str, str]] = {}
    for r in data.prices:
        if r["product_code"] != product:
            continue
        key = (r["competitor"], r["tier"], r["region"] or "")
        lines.setdefault(key, {})[_month(r["month"])] = str(round_money(r["average"]))
    series = [
        {
            "name": " · ".join(part for part in (competitor, tier_labels.get(tier, tier), region) if part),
            "data": [points.get(m) for m in months],
        }
        for (competitor, tier, region), points in lines.items()
    ]
    per_month = {_month(r["month"]): r for r in data.activity}
    activity = {
        key: [per_month[m][key] if m in per_month else 0 for m in months] for key in ("reports", "conflicts", "leads")
    }
    return {"months": months, "series": series, "activity": activity}
