"""Field reads: plans in scope, open escalations, and market intelligence for managers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.urls import reverse

from accounts.models import SalesUnit, User
from core.money import round_money
from core.periods import months_in
from documents import selectors as documents_selectors
from documents import targets as documents_targets
from documents.models import AttachmentTarget
from reports.selectors import market_price_months

from .models import EscalationStatus, LeadConversion, MarketingPlan, MarketReport
from .rules import lead_lines


def plans_for(user: User) -> QuerySet[MarketingPlan]:
    return MarketingPlan.objects.visible_to(user).select_related("owner", "unit").prefetch_related("goals")


PHOTO_TYPES = frozenset({"jpg", "jpeg", "png", "webp"})


def visible_report(*, user: Any, pk: int) -> MarketReport:
    """The author and their managers (and the company-wide roles) see a report; anyone else gets a 404."""
    return get_object_or_404(MarketReport.objects.visible_to(user).select_related("author", "answered_by"), pk=pk)


def register_photo_target() -> None:
    """Photos (channel-conflict evidence) are documents attachments on target "field.marketreport": documents asks
    field who may see the report, so a photo is served exactly to those who may see it (AppConfig.ready)."""
    from django.utils.translation import gettext_lazy

    documents_targets.register(
        AttachmentTarget.MARKET_REPORT,
        visible=visible_report,
        back_url=lambda pk: reverse("field:report", args=[pk]),
        extensions=PHOTO_TYPES,
        file_label=gettext_lazy("Photo"),
    )


def report_photos(report_ids: list[int]) -> dict[int, list[Any]]:
    return documents_selectors.attachments_for_many(target=AttachmentTarget.MARKET_REPORT, target_ids=report_ids)


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
    leads: list[MarketReport]  # each with .lead_rows (dicts: line, text, conversion)
    new_products: list[MarketReport]
    lead_count: int = 0  # leads (lines) in the reports of the period and unit
    prospect_count: int = 0  # of those, turned into prospect customers


def lead_rows(report: MarketReport, conversions: dict[tuple[int, int], LeadConversion]) -> list[dict[str, Any]]:
    return [
        {"line": n, "text": text, "conversion": conversions.get((report.pk, n))}
        for n, text in enumerate(lead_lines(report.leads), start=1)
    ]


def report_leads(report: MarketReport) -> list[dict[str, Any]]:
    """A report's leads, one per line, each with its conversion into a prospect customer if any (one query)."""
    conversions = {
        (c.report_id, c.line): c
        for c in LeadConversion.objects.filter(report=report).select_related("customer", "converted_by")
    }
    return lead_rows(report, conversions)


def _intelligence_reports(*, user: User, start: dt.date, end: dt.date, unit_id: int | None):
    """The market reports the intelligence page reads: those the user may see, in the period (and unit)."""
    reports = MarketReport.objects.visible_to(user).filter(date__gte=start, date__lte=end)
    return reports.filter(unit_id=unit_id) if unit_id else reports


def intelligence_lead_rows(
    *, user: User, start: dt.date, end: dt.date, unit_id: int | None = None
) -> list[dict[str, Any]]:
    """Every lead (one line of a report's leads) of the intelligence page's reports, newest report first, each with
    whether it was turned into a prospect (`conversion`: the LeadConversion or None) — for the XLSX export, which
    lists them all (the page shows the latest hundred reports). Two queries."""
    with_leads = (
        _intelligence_reports(user=user, start=start, end=end, unit_id=unit_id)
        .exclude(leads="")
        .select_related("author", "unit")
        .order_by("-date", "-id")
    )
    reports = list(with_leads)
    conversions = {
        (c.report_id, c.line): c
        for c in LeadConversion.objects.filter(report__in=[r.pk for r in reports]).select_related("customer")
    }
    return [{"report": r, **row} for r in reports for row in lead_rows(r, conversions)]


def intelligence(*, user: User, start: dt.date, end: dt.date, unit_id: int | None = None) -> Intelligence:
    """Competitor prices per month, product, competitor, tier and region — from the one price table, daily and market
    reports alike (reports.selectors.market_price_months); market reports, conflicts and leads per month;
    channel-conflict cases with their photos; leads and new products seen — from what the user may see, in the period.
    Eight queries, nine with conflict cases (their photos); leads counted with how many became prospects."""
    reports = _intelligence_reports(user=user, start=start, end=end, unit_id=unit_id)
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
    conflicts = list(keep.filter(channel_conflict=True)[:100])
    photos = report_photos([r.pk for r in conflicts]) if conflicts else {}
    for r in conflicts:
        r.photos = photos.get(r.pk, [])  # type: ignore[attr-defined]  # the case's evidence photos
    with_leads = reports.exclude(leads="")
    lead_count = sum(len(lead_lines(text)) for text in with_leads.values_list("leads", flat=True))
    conversions = {
        (c.report_id, c.line): c
        for c in LeadConversion.objects.filter(report__in=with_leads).select_related("customer")
    }
    leads = list(keep.exclude(leads="")[:100])
    for r in leads:
        r.lead_rows = lead_rows(r, conversions)  # type: ignore[attr-defined]
    return Intelligence(
        prices=prices,
        activity=activity,
        conflicts=conflicts,
        lead_count=lead_count,
        prospect_count=len(conversions),
        leads=leads,
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
