"""Field intelligence: the yearly marketing plan approved by the manager, market patrol and registry reports with
structured competitor prices, and urgent problems that go up at once and stay open until answered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.visibility import VisibleQuerySet
from reports.models import PriceTier

# The prices a market report saw are reports.MarketPrice rows (document "field.report"): one price table for the
# market reports and the daily reports, read by the intelligence page and its export.
__all__ = ["PriceTier"]

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for the manager")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for changes")


class MarketingPlan(TimeStampedModel):
    """年度行銷計畫: a salesperson's goals for the year by product, region or customer, the activities and the
    budget; approved (or returned) by their manager. The approved plan is what the year is judged against."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("accounts.SalesUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    activities = models.TextField(_("activities"), max_length=8000)
    budget = models.DecimalField(_("budget"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("manager's note"), blank=True, max_length=2000)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly marketing plan")
        verbose_name_plural = _("yearly marketing plans")
        ordering = ["-year", "owner_id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year"], name="field_plan_once_a_year"),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="field_plan_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.year}"


class GoalDimension(models.TextChoices):
    PRODUCT = "product", _("Product")
    REGION = "region", _("Region")
    CUSTOMER = "customer", _("Customer")


class PlanGoal(models.Model):
    plan = models.ForeignKey(MarketingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals")
    dimension = models.CharField(_("by"), max_length=10, choices=GoalDimension.choices)
    key = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(_("sales goal"), **MONEY)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="field_goal_positive")]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key} {self.amount}"


class ReportKind(models.TextChoices):
    PATROL = "patrol", _("Market patrol report")
    REGISTRY = "registry", _("Market registry report")


class EscalationStatus(models.TextChoices):
    NONE = "", _("None")
    OPEN = "open", _("Waiting for the manager")
    ANSWERED = "answered", _("Answered")


class MarketReportQuerySet(VisibleQuerySet):
    owner_field = "author"


class MarketReport(TimeStampedModel):
    """市場巡視工作報告 / 市場登記處報告: where and when, what competitors were seen, their prices by tier, stock,
    display, channel conflict (竄貨) evidence, leads, and an urgent problem that goes to the manager at once."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices, default=ReportKind.PATROL)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("accounts.SalesUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=200)
    region = models.CharField(_("region"), max_length=60, blank=True, db_index=True)
    competitors_seen = models.TextField(_("competitors seen"), blank=True, max_length=4000)
    new_products = models.TextField(_("new products seen (品種信息)"), blank=True, max_length=4000)
    stock = models.TextField(_("stock"), blank=True, max_length=2000)
    display = models.TextField(_("display"), blank=True, max_length=2000)
    channel_conflict = models.BooleanField(_("channel conflict (竄貨) seen"), default=False)
    conflict_evidence = models.TextField(_("channel-conflict evidence"), blank=True, max_length=4000)
    leads = models.TextField(_("sales leads"), blank=True, max_length=4000)
    urgent_problem = models.TextField(_("problem to report at once"), blank=True, max_length=4000)
    escalation = models.CharField(
        _("escalation"), max_length=10, choices=EscalationStatus.choices, default="", blank=True, db_index=True
    )
    answer = models.TextField(_("manager's answer"), blank=True, max_length=4000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = MarketReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("market report")
        verbose_name_plural = _("market reports")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} {self.place}"


class LeadConversion(TimeStampedModel):
    """A sales lead (one line of a market report's leads) turned into a prospect customer: registered through the
    customers app's own form and rules, then linked here so the intelligence page counts leads that became
    prospects."""

    report = models.ForeignKey(
        MarketReport, verbose_name=_("market report"), on_delete=models.CASCADE, related_name="conversions"
    )
    line = models.PositiveSmallIntegerField(_("lead number"))
    lead = models.CharField(_("sales lead"), max_length=500)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("converted by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("lead turned into a prospect")
        verbose_name_plural = _("leads turned into prospects")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["report", "line"], name="field_lead_converted_once")]

    def __str__(self) -> str:
        return f"{self.report_id}#{self.line} → {self.customer_id}"
