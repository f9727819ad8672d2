"""Daily reports: write, file, review and comment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import events
from core.exceptions import ApplicationError, PermissionDenied

from .. import permissions
from ..calendar import local_tz, policy_for, report_deadline
from ..models import DailyReport, ReportComment
from ..selectors.prefill import contact_counts
from ..workflows import DAILY_REPORT
from ._common import _create_row
from .market_prices import PriceInput, daily_report_prices_set, prices_validated

REPORT_TEXT_FIELDS = (
    "activities",
    "results",
    "problems",
    "market_notes",
    "plan_tomorrow",
    "market_trend",
)


def can_review(*, actor: User, report: DailyReport) -> bool:
    """Kept for callers; the rule is `reports.permissions.can_review`."""
    return permissions.can_review(actor, report)


@transaction.atomic
def daily_report_save(
    *,
    author: User,
    date: dt.date,
    data: dict[str, Any],
    submit: bool,
    now: dt.datetime | None = None,
    prices: list[PriceInput] | None = None,
) -> DailyReport:
    """Create or update `author`'s report of `date`; `submit` files it. Refused after the cut-off. `prices` (when
    given) replace the competitor prices seen that day.

    The visit and call counts always come from the contact log of that day, never from the form."""
    now = now or timezone.now()
    today = now.astimezone(local_tz()).date()
    if date > today:
        raise ApplicationError(_("A report cannot be written for a future day."), field="date", code="future")
    if author.unit_id is None:
        raise ApplicationError(_("You belong to no sales unit, so you cannot file reports."), code="no_unit")
    if prices is not None:
        prices = prices_validated(prices)
    report = DailyReport.objects.select_for_update().filter(author=author, date=date).first()
    if report is None:
        deadline = report_deadline(date, policy_for(date, author.unit_id))
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
    if "problem_urgent" in data:
        report.problem_urgent = bool(data.get("problem_urgent"))
    escalate = report.problem_urgent and bool(report.problems) and report.escalated_at is None
    if escalate:
        report.escalated_at = now
    counts = contact_counts(author=author, day=date)
    report.visits_count, report.calls_count = counts.get("visit", 0), counts.get("call", 0)
    if submit and report.submitted_at is None:
        if not (report.activities or report.results):
            raise ApplicationError(
                _("Write at least your visits and calls or your results before filing."), field="results", code="empty"
            )
        report.submitted_at = now
    report.save()
    if prices is not None:
        daily_report_prices_set(report=report, prices=prices)
    if escalate:
        _escalate(report, author)
    return report


def _escalate(report: DailyReport, author: User) -> None:
    """The urgent problem goes up at once: to the unit's manager, or to the GM office when the author is the
    manager or the unit has none. Told once (the report's escalated_at is set only the first time)."""
    unit = author.unit
    recipients: list[int] = [unit.manager_id] if unit is not None and unit.manager_id not in (None, author.pk) else []
    if not recipients:
        recipients = list(User.objects.filter(role="gm_office", is_active=True).values_list("pk", flat=True))
    events.publish(
        document=DAILY_REPORT.document,
        document_id=report.pk,
        action="escalated",
        actor=author,
        recipients=recipients,
        note=report.problems,
        data={
            "date": report.date.isoformat(),
            "author": author.get_full_name(),
            "url": reverse("reports:daily_detail", args=[report.pk]),
        },
    )


def _answer_escalation(report: DailyReport, actor: User) -> None:
    """A reviewer's review or comment answers the report's urgent problem (it stays open until then)."""
    if report.escalated_at and report.escalation_answered_at is None and permissions.can_review(actor, report):
        report.escalation_answered_at = timezone.now()
        report.save(update_fields=["escalation_answered_at", "updated_at"])


@transaction.atomic
def daily_report_review(*, report: DailyReport, actor: User, comment: str = "") -> DailyReport:
    report = DailyReport.objects.select_for_update().get(pk=report.pk)
    first = report.submitted_at is not None and report.reviewed_at is None
    DAILY_REPORT.check(actor, report, "review" if first or report.submitted_at is None else "re_review")
    if comment.strip():
        ReportComment.objects.create(report=report, author=actor, body=comment.strip())
    if report.reviewed_at is None:
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save(update_fields=["reviewed_by", "reviewed_at", "updated_at"])
    if first or comment.strip():
        _publish(report, "reviewed" if first else "commented", actor, comment.strip())
    _answer_escalation(report, actor)
    return report


def _publish(report: DailyReport, action: str, actor: User, note: str) -> None:
    """The author learns of the review or the comment."""
    events.publish(
        document=DAILY_REPORT.document,
        document_id=report.pk,
        action=action,
        actor=actor,
        recipients=[report.author_id],
        note=note,
        data={
            "date": report.date.isoformat(),
            "actor": actor.get_full_name(),
            "url": reverse("reports:daily_detail", args=[report.pk]),
        },
    )


@transaction.atomic
def daily_report_comment(*, report: DailyReport, actor: User, body: str) -> ReportComment:
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write a comment."), field="body", code="required")
    if not DailyReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You cannot comment on this report."))
    comment = ReportComment.objects.create(report=report, author=actor, body=body)
    _publish(report, "commented", actor, body)
    _answer_escalation(DailyReport.objects.select_for_update().get(pk=report.pk), actor)
    return comment
