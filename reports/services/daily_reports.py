"""Daily reports: write, file, review and comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.exceptions import ApplicationError
from core.money import round_money

from ..calendar import local_tz, policy_for, report_deadline
from ..models import DailyReport, ReportComment
from ..selectors.prefill import contact_counts
from ._common import _create_row

REPORT_TEXT_FIELDS = (
    "activities",
    "results",
    "problems",
    "market_notes",
    "plan_tomorrow",
    "competitor",
    "competitor_product",
    "market_trend",
)


def can_review(*, actor: User, report: DailyReport) -> bool:
    """Managers review their team's reports; the GM office and admins any; nobody reviews their own."""
    if actor.pk == report.author_id:
        return False
    if actor.is_manager:
        return report.unit_id in actor.team_unit_ids
    return actor.is_superuser or actor.role in (Role.GM_OFFICE, Role.ADMIN)


def _competitor_price(value: Any) -> Decimal | None:
    """The competitor's price from the form, in money; None when empty."""
    if value in (None, ""):
        return None
    try:
        price = round_money(Decimal(str(value)))
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(_("Enter a valid price."), field="competitor_price", code="invalid") from None
    if price < 0:
        raise ApplicationError(_("A price cannot be negative."), field="competitor_price", code="negative")
    return price


@transaction.atomic
def daily_report_save(
    *,
    author: User,
    date: dt.date,
    data: dict[str, Any],
    submit: bool,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Create or update `author`'s report of `date`; `submit` files it. Refused after the cut-off.

    The visit and call counts always come from the contact log of that day, never from the form."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    if date > today:
        raise ApplicationError(_("A report cannot be written for a future day."), field="date", code="future")
    if author.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit, so you cannot file reports."), code="no_unit")
    price = _competitor_price(data.get("competitor_price"))
    report = DailyReport.objects.select_for_update().filter(author=author, date=date).first()
    if report is None:
        deadline = report_deadline(date, policy_for(date))
        if now > deadline:
            raise ApplicationError(
                _("The cut-off for the report of %(date)s has passed (%(deadline)s).")
                % {"date": date, "deadline": timezone.localtime(deadline, local_tz()).strftime("%Y-%m-%d %H:%M")},
                field="date",
                code="locked",
            )
        report = _create_row(
            DailyReport,
            {"author": author, "date": date},
            {"unit_id": author.unit_id, "deadline": deadline},
        )
    elif report.is_locked(now):
        raise ApplicationError(_("This report is locked: the cut-off has passed."), code="locked")
    for name in REPORT_TEXT_FIELDS:
        if name in data:
            setattr(report, name, (data.get(name) or "").strip())
    if "competitor_price" in data:
        report.competitor_price = price
    counts = contact_counts(author=author, day=date)
    report.visits_count, report.calls_count = counts.get("visit", 0), counts.get("call", 0)
    if submit and report.submitted_at is None:
        if not (report.activities or report.results):
            raise ApplicationError(
                _("Write at least your visits and calls or your results before filing."), field="results", code="empty"
            )
        report.submitted_at = now
    report.save()
    return report


@transaction.atomic
def daily_report_review(*, report: DailyReport, actor: User, comment: str = "") -> DailyReport:
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    if not can_review(actor=actor, report=report):
        raise ApplicationError(_("Only the unit's manager can review this report."), code="forbidden")
    if report.submitted_at is None:
        raise ApplicationError(_("The report has not been filed yet."), code="not_submitted")
    if comment.strip():
        ReportComment.objects.create(report=report, author=actor, body=comment.strip())
    if report.reviewed_at is None:
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    return report


@transaction.atomic
def daily_report_comment(*, report: DailyReport, actor: User, body: str) -> ReportComment:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), field="body", code="required")
    if not DailyReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise ApplicationError(_("You cannot comment on this report."), code="forbidden")
    return ReportComment.objects.create(report=report, author=actor, body=body)
