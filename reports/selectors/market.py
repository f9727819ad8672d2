"""Competitor prices seen in the market (MarketPrice), from daily reports and the field app's market reports alike:
the one source of the market intelligence page and its export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, Max, Min, QuerySet, Value
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import User

from ..models import MarketPrice


def market_prices_of(*, document: str, document_id: int) -> QuerySet[MarketPrice]:
    """The prices written with one document of another app (e.g. a field market report)."""
    return MarketPrice.objects.filter(document=document, document_id=document_id).select_related("product")


def market_price_months(
    *, user: User, start: dt.date, end: dt.date, unit_id: int | None = None
) -> list[dict[str, Any]]:
    """Average, lowest and highest price per month, our product, competitor, tier and region, over the prices the
    user may see (their own; a manager's team; everything for company-wide roles) seen in the period, whichever
    report they were written in. One query. A price not linked to one of our products has product_code ""."""
    qs = MarketPrice.objects.visible_to(user).filter(date__gte=start, date__lte=end, price__isnull=False)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return list(
        qs.annotate(month=TruncMonth("date"))
        .values(
            "month",
            "competitor",
            "tier",
            "region",
            product_code=Coalesce(F("product__code"), Value("")),
            product_name=Coalesce(F("product__name"), Value("")),
        )
        .annotate(average=Avg("price"), low=Min("price"), high=Max("price"), seen=Count("id"))
        .order_by("product_code", "competitor", "tier", "region", "month")
    )
