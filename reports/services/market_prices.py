"""Competitor prices seen in the market (MarketPrice): written with a daily report, or — through core.events — with
a market report of the field app (which sits above reports and so publishes what it saw instead of writing here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.money import round_money
from sales.models import Product

from ..models import DailyReport, MarketPrice, PriceTier

# The field app's market reports publish ("field.report", "filed") with their prices in the activity's data.
FIELD_REPORT = "field.report"


@dataclass(frozen=True)
class PriceInput:
    competitor: str
    competitor_product: str = ""
    product_id: int | None = None
    tier: str = ""
    price: Decimal | None = None


def _price(value: object) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        price = round_money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(_("Enter a valid price."), field="prices", code="invalid") from None
    if not price.is_finite() or price <= 0 or price >= Decimal("1e12"):
        raise ApplicationError(_("A price seen must be above 0."), field="prices", code="range")
    return price


def prices_validated(prices: list[PriceInput], *, need_product: bool = False) -> list[PriceInput]:
    """Each price names the competitor; a price above 0 says its tier; our product, when given, exists. The market
    reports also need our comparable product (`need_product`)."""
    known = set(
        Product.objects.filter(pk__in=[p.product_id for p in prices if p.product_id]).values_list("pk", flat=True)
    )
    out = []
    for p in prices:
        competitor = (p.competitor or "").strip()[:100]
        price = _price(p.price)
        if (
            not competitor
            or (price is not None and p.tier not in PriceTier.values)
            or (p.tier and p.tier not in PriceTier.values)
            or (p.product_id is not None and p.product_id not in known)
            or (need_product and p.product_id is None)
        ):
            raise ApplicationError(
                _("Each price needs the competitor, and with a price its tier (second-tier or retail)."),
                field="prices",
                code="invalid",
            )
        out.append(
            PriceInput(
                competitor=competitor,
                competitor_product=(p.competitor_product or "").strip()[:100],
                product_id=p.product_id,
                tier=p.tier or "",
                price=price,
            )
        )
    return out


def daily_report_prices_set(*, report: DailyReport, prices: list[PriceInput]) -> None:
    """Replace the competitor prices of a daily report (the caller holds the report's row lock)."""
    rows = prices_validated(prices)
    report.prices.all().delete()
    MarketPrice.objects.bulk_create(
        [
            MarketPrice(
                author_id=report.author_id,
                unit_id=report.unit_id,
                date=report.date,
                daily_report=report,
                competitor=p.competitor,
                competitor_product=p.competitor_product,
                product_id=p.product_id,
                tier=p.tier,
                price=p.price,
            )
            for p in rows
        ]
    )


def market_prices_from_event(activity: Any) -> None:
    """Subscriber (core.events): a market report filed in the field app brings its prices (validated there, by
    `prices_validated`'s rules) into the one price table. Written once per report."""
    if (activity.document, activity.action) != (FIELD_REPORT, "filed") or activity.actor_id is None:
        return
    data = activity.data or {}
    if MarketPrice.objects.filter(document=FIELD_REPORT, document_id=activity.document_id).exists():
        return
    MarketPrice.objects.bulk_create(
        [
            MarketPrice(
                author_id=activity.actor_id,
                unit_id=data["unit_id"],
                date=dt.date.fromisoformat(data["date"]),
                region=(data.get("region") or "")[:60],
                document=FIELD_REPORT,
                document_id=activity.document_id,
                competitor=p["competitor"],
                competitor_product=p.get("competitor_product", ""),
                product_id=p.get("product_id"),
                tier=p.get("tier", ""),
                price=Decimal(p["price"]) if p.get("price") not in (None, "") else None,
            )
            for p in data.get("prices", [])
        ]
    )
