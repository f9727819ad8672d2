from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .querysets import DailyReportQuerySet


class DailyReport(TimeStampedModel):
    """Daily work report (工作日報表): one per salesperson per working day."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="daily_reports"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="daily_reports"
    )
    date = models.DateField(_("date"), db_index=True)
    activities = models.TextField(_("visits and calls"), blank=True)
    results = models.TextField(_("results"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    market_notes = models.TextField(_("market and competitor notes"), blank=True)
    plan_tomorrow = models.TextField(_("plan for tomorrow"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["author", "date"], name="daily_report_one_per_day")]

    def __str__(self) -> str:
        return f"{self.author} {self.date}"
