"""Field reads: plans in scope, open escalations, and market intelligence for managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Max, Min, QuerySet
from django.db.models.functions import TruncMonth

from accounts.models import User

from .models import EscalationStatus, MarketingPlan, MarketPrice, MarketReport


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


@dataclass(frozen=True)
class Intelligence:
    prices: list[Any]  # dicts: month, product, competitor, tier, region, average, low, high, seen
    conflicts: list[MarketReport]
    leads: list[MarketReport]
    new_products: list[MarketReport]


def intelligence(*, user: User, start: dt.date, end: dt.date, unit_id: int | None = None) -> Intelligence:
    """Competitor prices per month, product, competitor, tier and region; channel-conflict cases; leads and new
    products seen — from the market reports the user may see, in the period. Four queries."""
    reports = MarketReport.objects.visible_to(user).filter(date__gte=start, date__lte=end)
    if unit_id:
        reports = reports.filter(unit_id=unit_id)
    prices = list(
        MarketPrice.objects.filter(report__in=reports)
        .annotate(month=TruncMonth("report__date"))
        .values("month", "product__code", "product__name", "competitor", "tier", "report__region")
        .annotate(average=Avg("price"), low=Min("price"), high=Max("price"), seen=Count("id"))
        .order_by("product__code", "competitor", "tier", "report__region", "month")
    )
    keep = reports.select_related("author").order_by("-date", "-id")
    return Intelligence(
        prices=prices,
        conflicts=list(keep.filter(channel_conflict=True)[:100]),
        leads=list(keep.exclude(leads="")[:100]),
        new_products=list(keep.exclude(new_products="")[:100]),
    )
