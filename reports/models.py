from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.unit_policy import UnitPolicy, approval_constraint
from core.models import EffectiveDatedPolicy, TimeStampedModel

from .querysets import (
    DailyReportQuerySet,
    EvaluationQuerySet,
    ForecastQuerySet,
    LessonQuerySet,
    MarketPriceQuerySet,
    PlanQuerySet,
    ReportCommentQuerySet,
    SummaryQuerySet,
    TargetLineQuerySet,
    TargetQuerySet,
    VisitRouteQuerySet,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


# --------------------------------------------------------------------------------------------------------------
# Settings an admin can change: report cut-off and the working-day calendar
# --------------------------------------------------------------------------------------------------------------
class ReportPolicy(TimeStampedModel, EffectiveDatedPolicy):
    """Report cut-off and working week, in force from `effective_from` until the next policy (never edited back)."""

    cutoff_days = models.PositiveSmallIntegerField(
        _("cut-off: days after the report date"),
        default=1,
        help_text=_("0 = the same day, 1 = the next calendar day, ..."),
    )
    cutoff_time = models.TimeField(_("cut-off: local time"), default=dt.time(10, 0))
    working_weekdays = models.CharField(
        _("working weekdays"),
        max_length=7,
        default="01234",
        help_text=_("Digits of the working weekdays: 0 = Monday ... 6 = Sunday. Holidays are set in the calendar."),
    )
    # When a receivable is overdue is the receivables policy's (receivables.ReceivablesPolicy.grace_months).

    class Meta:
        verbose_name = _("report policy")
        verbose_name_plural = _("report policies")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(working_weekdays__regex=r"^[0-6]{0,7}$"), name="policy_weekdays")
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: +{self.cutoff_days}d {self.cutoff_time:%H:%M}"

    @property
    def weekday_set(self) -> frozenset[int]:
        return frozenset(int(c) for c in self.working_weekdays)


class UnitReportPolicy(UnitPolicy):
    """A unit's own daily-report cut-off (實施細則) over the company's ReportPolicy: each value left empty keeps the
    company's. In force from `effective_from` once the GM office has approved it (`accounts.unit_policy`). The
    working week and the holidays stay the company's calendar."""

    OVERRIDES = ("cutoff_days", "cutoff_time")

    cutoff_days = models.PositiveSmallIntegerField(
        _("cut-off: days after the report date"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(31)],
        help_text=_("0 = the same day, 1 = the next calendar day, ..."),
    )
    cutoff_time = models.TimeField(_("cut-off: local time"), null=True, blank=True)

    class Meta(UnitPolicy.Meta):
        verbose_name = _("unit report policy")
        verbose_name_plural = _("unit report policies")
        constraints = [approval_constraint("unit_report_policy_approved_has_approver")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.effective_from}"


class CalendarDay(models.Model):
    """An exception to the working week: a holiday (not working) or a make-up working day (補班, working)."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


# --------------------------------------------------------------------------------------------------------------
# Daily work report
# --------------------------------------------------------------------------------------------------------------
class MarketTrend(models.TextChoices):
    UP = "up", _("Rising")
    FLAT = "flat", _("Stable")
    DOWN = "down", _("Falling")


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
    # 迅速向上級報告: a problem marked urgent goes to the manager when the report is saved, and stays open until
    # someone who reviews the report answers it (a review or a comment).
    problem_urgent = models.BooleanField(_("report this problem to my manager at once"), default=False)
    escalated_at = models.DateTimeField(_("problem reported up at"), null=True, blank=True)
    escalation_answered_at = models.DateTimeField(_("problem answered at"), null=True, blank=True)
    market_notes = models.TextField(_("market and competitor notes"), blank=True)
    plan_tomorrow = models.TextField(_("plan for tomorrow"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Added by the reports app.
    visits_count = models.PositiveIntegerField(_("visits"), default=0)
    calls_count = models.PositiveIntegerField(_("calls"), default=0)
    # The competitors and their prices seen that day are MarketPrice rows (daily_report.prices), the structure the
    # field app's market reports use too.
    market_trend = models.CharField(_("market trend"), max_length=8, choices=MarketTrend.choices, blank=True)
    deadline = models.DateTimeField(_("editable until"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["author", "date"], name="daily_report_one_per_day"),
        ]
        indexes = [
            models.Index(fields=["unit", "date"]),
            # The inbox's urgent problems still open: a handful of rows, counted on every page.
            models.Index(
                fields=["unit", "escalated_at"],
                condition=models.Q(escalated_at__isnull=False, escalation_answered_at__isnull=True),
                name="daily_report_open_escalation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} {self.date}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_on_time(self) -> bool:
        return self.submitted_at is not None and (self.deadline is None or self.submitted_at <= self.deadline)

    def is_locked(self, now: dt.datetime) -> bool:
        return self.deadline is not None and now > self.deadline


class PriceTier(models.TextChoices):
    SECOND = "second", _("Second-tier (二批)")
    RETAIL = "retail", _("Retail (零售)")


class MarketPrice(models.Model):
    """One competitor price seen in the market (價格信息 二批和零售): a competitor's product at a tier, in a region, on
    a day, beside our comparable product. Written in a daily report (`daily_report`) or in a market patrol or
    registry report of the field app (`document` "field.report" and `document_id`: reports sits below field, so it
    names the report the way core.Activity names documents). The one source of the market intelligence page and its
    export. Rows carried over from the daily report's former single competitor fields have no tier ("") and no
    product; a competitor noted without a price has no price."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    region = models.CharField(_("region"), max_length=60, blank=True)
    daily_report = models.ForeignKey(
        DailyReport,
        verbose_name=_("daily report"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="prices",
    )
    document = models.CharField(_("document"), max_length=40, blank=True)
    document_id = models.PositiveBigIntegerField(_("document id"), null=True, blank=True)
    product = models.ForeignKey(
        "sales.Product",
        verbose_name=_("our comparable product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    competitor = models.CharField(_("competitor"), max_length=100)
    competitor_product = models.CharField(_("competitor's product"), max_length=100, blank=True)
    tier = models.CharField(_("tier"), max_length=10, choices=PriceTier.choices, blank=True)
    price = models.DecimalField(_("price"), **MONEY, null=True, blank=True)

    objects = MarketPriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("market price")
        verbose_name_plural = _("market prices")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="market_price_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(daily_report__isnull=False, document="", document_id__isnull=True)
                    | models.Q(daily_report__isnull=True, document_id__isnull=False) & ~models.Q(document="")
                ),
                name="market_price_one_source",
            ),
        ]
        indexes = [
            models.Index(fields=["date", "unit"], name="market_price_date_unit"),
            models.Index(fields=["document", "document_id"], name="market_price_document"),
            models.Index(fields=["product", "tier"], name="market_price_product"),
        ]

    def __str__(self) -> str:
        return f"{self.competitor} {self.price}"


class ReportComment(TimeStampedModel):
    """A comment on a daily report (the manager's remarks, the salesperson's reply). Append-only."""

    report = models.ForeignKey(DailyReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("comment"))

    objects = ReportCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:30]}"


# --------------------------------------------------------------------------------------------------------------
# Plans, routes and forecasts
# --------------------------------------------------------------------------------------------------------------
class PlanKind(models.TextChoices):
    WEEKLY = "weekly", _("Weekly action plan")
    MONTHLY = "monthly", _("Monthly action plan")
    SUMMARY = "summary", _("Monthly summary")


class Plan(TimeStampedModel):
    """Weekly / monthly action plan (行動計畫) or monthly summary (月度總結) with next month's key points."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="plans"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PlanKind.choices)
    period_start = models.DateField(_("period start"), help_text=_("Monday of the week or first day of the month"))
    goals = models.TextField(_("goals"), blank=True)
    actions = models.TextField(_("actions / review"), blank=True)
    key_points_next = models.TextField(_("next month's key points"), blank=True)
    sales_goal = models.DecimalField(_("sales goal"), **MONEY, null=True, blank=True)
    visits_goal = models.PositiveIntegerField(_("visits goal"), null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["author", "kind", "period_start"], name="plan_one_per_period"),
            models.CheckConstraint(
                condition=models.Q(sales_goal__isnull=True) | models.Q(sales_goal__gte=0), name="plan_goal_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start} {self.author}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class VisitRoute(TimeStampedModel):
    """Weekly fixed visit route (固定拜訪路線): the customers a salesperson visits on a weekday, in order."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE, related_name="visit_routes"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="visit_routes"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = VisitRouteQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit route stop")
        verbose_name_plural = _("visit routes")
        ordering = ["owner", "weekday", "position"]
        constraints = [models.UniqueConstraint(fields=["owner", "weekday", "customer"], name="route_stop_unique")]

    def __str__(self) -> str:
        return f"{self.owner} {self.get_weekday_display()} {self.customer}"


class Forecast(TimeStampedModel):
    """Rolling sales forecast (滾動銷售預測): expected sales of a salesperson in a month, revised as it nears."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.CASCADE, related_name="forecasts"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="forecasts"
    )
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("expected sales"), **MONEY)
    confidence = models.PositiveSmallIntegerField(_("confidence (%)"), default=50)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = ForecastQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales forecast")
        verbose_name_plural = _("sales forecasts")
        ordering = ["owner", "month"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "month"], name="forecast_one_per_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="forecast_amount_non_negative"),
            models.CheckConstraint(condition=models.Q(confidence__lte=100), name="forecast_confidence_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m} {self.amount}"


# --------------------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------------------
class PeriodType(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")


class Dimension(models.TextChoices):
    PRODUCT = "product", _("Product")
    REGION = "region", _("Region")
    CUSTOMER = "customer", _("Customer")
    SALESPERSON = "salesperson", _("Salesperson")
    SETTLEMENT = "settlement", _("Settlement method")
    SALES_METHOD = "sales_method", _("Sales method")


class TargetKind(models.TextChoices):
    """What a target measures: sales signed (銷售指標) or cash collected (回款目標)."""

    SALES = "sales", _("Sales")
    COLLECTION = "collection", _("Collections")


class Target(TimeStampedModel):
    """Sales target (銷售指標) or collection target (回款目標) of a unit (or of the company when unit is empty) for a
    year, quarter or month."""

    kind = models.CharField(
        _("target kind"), max_length=12, choices=TargetKind.choices, default=TargetKind.SALES, db_index=True
    )

    unit = models.ForeignKey(
        "accounts.SalesUnit",
        verbose_name=_("sales unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text=_("Empty for the company-wide target."),
    )
    period_type = models.CharField(_("period"), max_length=8, choices=PeriodType.choices)
    period_start = models.DateField(_("period start"))
    amount = models.DecimalField(_("target amount"), **MONEY)
    quantity = models.DecimalField(_("target quantity"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-period_start", "period_type", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "period_type", "period_start"],
                name="target_one_per_kind_and_period",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="target_amount_non_negative"),
        ]

    def __str__(self) -> str:
        unit = self.unit or _("Company")
        return f"{unit} {self.get_kind_display()} {self.get_period_type_display()} {self.period_start}"

    @property
    def is_collection(self) -> bool:
        return self.kind == TargetKind.COLLECTION

    @property
    def period_end(self) -> dt.date:
        from .periods import period_bounds

        return period_bounds(self.period_type, self.period_start)[1]


class TargetLine(models.Model):
    """One part of a target's split along one dimension. The parts of a dimension never exceed the whole."""

    target = models.ForeignKey(Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="lines")
    dimension = models.CharField(_("split by"), max_length=12, choices=Dimension.choices)
    product = models.ForeignKey(
        "sales.Product", verbose_name=_("product"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(_("sales region"), max_length=60, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="target_lines",
    )
    # Codes of the sales app's admin-kept lists (sales.SettlementMethod, sales.SalesMethod).
    settlement_method = models.CharField(_("settlement method"), max_length=16, blank=True)
    sales_method = models.CharField(_("sales method"), max_length=16, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2, null=True, blank=True)

    objects = TargetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("target split line")
        verbose_name_plural = _("target split lines")
        ordering = ["target", "dimension", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="target_line_amount_non_negative"),
            models.UniqueConstraint(
                fields=[
                    "target",
                    "dimension",
                    "product",
                    "region",
                    "customer",
                    "salesperson",
                    "settlement_method",
                    "sales_method",
                ],
                name="target_line_unique_key",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["salesperson", "dimension"])]

    def __str__(self) -> str:
        return f"{self.target} {self.key_label}: {self.amount}"

    @property
    def key_label(self) -> str:
        from sales.selectors import method_labels

        match self.dimension:
            case Dimension.PRODUCT:
                return str(self.product)
            case Dimension.REGION:
                return self.region
            case Dimension.CUSTOMER:
                return str(self.customer)
            case Dimension.SALESPERSON:
                return str(self.salesperson)
            case Dimension.SETTLEMENT:
                return method_labels("settlement").get(self.settlement_method, self.settlement_method)
            case _:
                return method_labels("sales").get(self.sales_method, self.sales_method)


# --------------------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------------------
class Evaluation(TimeStampedModel):
    """Performance evaluation (表現評估) of a salesperson for a period: the manager's feedback and the figures
    frozen when the feedback was given (the live figures are always computed by the selectors)."""

    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="evaluations"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="evaluations"
    )
    period_type = models.CharField(_("period"), max_length=8, choices=PeriodType.choices)
    period_start = models.DateField(_("period start"))
    feedback = models.TextField(_("manager's feedback"), blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("feedback by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    figures = models.JSONField(_("figures at feedback time"), default=dict, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged by the salesperson at"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-period_start", "salesperson"]
        constraints = [
            models.UniqueConstraint(fields=["salesperson", "period_type", "period_start"], name="evaluation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.salesperson} {self.period_type} {self.period_start}"


# --------------------------------------------------------------------------------------------------------------
# Summary tables behind the dashboard, rebuilt by services.summary_refresh (Celery beat)
# --------------------------------------------------------------------------------------------------------------
class PerformanceMonthly(models.Model):
    """Per salesperson, unit and month: sales, quantity, collections, visits, calls, new customers."""

    month = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    sales_amount = models.DecimalField(**MONEY, default=Decimal("0"))
    sales_quantity = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    contracts = models.IntegerField(default=0)
    collected = models.DecimalField(**MONEY, default=Decimal("0"))
    visits = models.IntegerField(default=0)
    calls = models.IntegerField(default=0)
    new_customers = models.IntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly performance (summary)")
        verbose_name_plural = _("monthly performance (summary)")
        indexes = [models.Index(fields=["month", "unit"]), models.Index(fields=["owner", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.owner_id}"


class CustomerSalesMonthly(models.Model):
    """Per customer, salesperson, unit and month: sales amount. Feeds 'top customers' and customer drill-down."""

    month = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    amount = models.DecimalField(**MONEY, default=Decimal("0"))
    quantity = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly customer sales (summary)")
        verbose_name_plural = _("monthly customer sales (summary)")
        indexes = [
            models.Index(fields=["month", "unit"]),
            models.Index(fields=["owner", "month"]),
            models.Index(fields=["customer", "month"]),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer_id}"


class ReceivableSnapshot(models.Model):
    """Open receivable of a sold, shipped contract (retention money excluded) and the day it falls due."""

    contract = models.OneToOneField(
        "sales.Contract", on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    due_on = models.DateField()
    outstanding = models.DecimalField(**MONEY)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("open receivable (summary)")
        verbose_name_plural = _("open receivables (summary)")
        indexes = [models.Index(fields=["unit", "due_on"]), models.Index(fields=["owner", "due_on"])]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.outstanding}"


class TopCustomerSummary(models.Model):
    """The ten best customers of the current month, quarter and year, for the company (unit and owner empty),
    each unit (owner empty) and each salesperson (unit empty)."""

    period_type = models.CharField(max_length=8)
    period_start = models.DateField()
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    rank = models.PositiveSmallIntegerField()
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    amount = models.DecimalField(**MONEY, default=Decimal("0"))
    quantity = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("top customers (summary)")
        verbose_name_plural = _("top customers (summary)")
        indexes = [models.Index(fields=["period_type", "period_start", "unit", "owner"])]

    def __str__(self) -> str:
        return f"{self.period_type} {self.period_start} #{self.rank} {self.customer_id}"


class ReceivableAgeSummary(models.Model):
    """Open receivables per salesperson, unit and age bucket, aged on `as_of` (the day of the refresh)."""

    as_of = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    bucket = models.CharField(max_length=10)
    amount = models.DecimalField(**MONEY, default=Decimal("0"))
    contracts = models.IntegerField(default=0)

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("receivables by age (summary)")
        verbose_name_plural = _("receivables by age (summary)")

    def __str__(self) -> str:
        return f"{self.as_of} {self.owner_id} {self.bucket}"


class ComplianceMonthly(models.Model):
    """On-time daily reports on working days per person and month, for the days before `SummaryState.stable_before`
    (days whose reports can no longer change); later days are counted live."""

    month = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    on_time = models.IntegerField(default=0)
    first_date = models.DateField()

    class Meta:
        verbose_name = _("report compliance (summary)")
        verbose_name_plural = _("report compliance (summary)")
        indexes = [models.Index(fields=["month", "author"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.author_id}: {self.on_time}"


class SummaryState(models.Model):
    """When the summary tables were last rebuilt (one row)."""

    name = models.CharField(max_length=40, unique=True)
    refreshed_at = models.DateTimeField()
    duration_ms = models.IntegerField(default=0)
    stable_before = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("summary refresh")
        verbose_name_plural = _("summary refreshes")

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at}"


# --------------------------------------------------------------------------------------------------------------
# Year-end bonus worksheet (年終獎勵)
# --------------------------------------------------------------------------------------------------------------
WEIGHT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}
SCORE = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class BonusWeights(TimeStampedModel, EffectiveDatedPolicy):
    """The weights of the year-end bonus factors (they add up to 100 %) and the part of the year's market service
    fund accruals set aside for year-end awards. Set by the admin; the row in force on 31 December counts."""

    sales_weight = models.DecimalField(_("sales performance (%)"), default=Decimal("40"), **WEIGHT)
    quality_weight = models.DecimalField(_("professional quality 業務素質 (%)"), default=Decimal("15"), **WEIGHT)
    satisfaction_weight = models.DecimalField(_("customer satisfaction (%)"), default=Decimal("15"), **WEIGHT)
    market_share_weight = models.DecimalField(_("market share (%)"), default=Decimal("15"), **WEIGHT)
    company_weight = models.DecimalField(_("company results (%)"), default=Decimal("15"), **WEIGHT)
    fund_share_percent = models.DecimalField(
        _("year-end part of the market service fund (% of the year's accruals)"), default=Decimal("50"), **WEIGHT
    )

    class Meta:
        verbose_name = _("year-end bonus weights")
        verbose_name_plural = _("year-end bonus weights")
        ordering = ["-effective_from"]
        constraints = [
            # The five weights add up to exactly 100 (the services and the admin form say so first, by field).
            models.CheckConstraint(
                condition=models.Q(
                    sales_weight=models.Value(Decimal("100"))
                    - models.F("quality_weight")
                    - models.F("satisfaction_weight")
                    - models.F("market_share_weight")
                    - models.F("company_weight")
                ),
                name="bonus_weights_sum_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}"

    @property
    def weights(self) -> dict[str, Decimal]:
        return {
            "sales": self.sales_weight,
            "quality": self.quality_weight,
            "satisfaction": self.satisfaction_weight,
            "market_share": self.market_share_weight,
            "company": self.company_weight,
        }

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        total = sum(self.weights.values(), Decimal("0"))
        if total != 100:
            raise ValidationError(
                _("The weights add up to %(total)s %%; they must add up to 100 %%.") % {"total": total}
            )


class BonusScore(TimeStampedModel):
    """The manager's scores (0–100) of a salesperson's year for the factors the system cannot measure."""

    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="bonus_scores"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quality = models.DecimalField(_("professional quality 業務素質"), null=True, blank=True, **SCORE)
    satisfaction = models.DecimalField(_("customer satisfaction"), null=True, blank=True, **SCORE)
    market_share = models.DecimalField(_("market share"), null=True, blank=True, **SCORE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("scored by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("year-end bonus score")
        verbose_name_plural = _("year-end bonus scores")
        ordering = ["-year", "salesperson"]
        constraints = [models.UniqueConstraint(fields=["salesperson", "year"], name="bonus_score_one_per_year")]

    def __str__(self) -> str:
        return f"{self.salesperson_id} {self.year}"


class SalesBreakdownMonthly(models.Model):
    """Sales per month and value of a breakdown dimension (product, region, customer tier, settlement method, sales
    method: see reports.breakdowns) at three levels: the company (unit and owner empty), each unit (owner empty)
    and each salesperson (unit and owner set), so each dashboard scope reads only its own small set of rows. Feeds
    the dashboard's breakdowns and their year-on-year comparison; rebuilt with the other summaries."""

    month = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False
    )
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, default=Decimal("0"))
    quantity = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly sales breakdown (summary)")
        verbose_name_plural = _("monthly sales breakdowns (summary)")
        indexes = [
            models.Index(fields=["month", "dimension", "unit"]),
            models.Index(fields=["owner", "month"]),
            models.Index(fields=["month"], condition=models.Q(unit__isnull=True), name="breakdown_company_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.key}"


class ReviewItem(models.TextChoices):
    """The evaluation items a manager scores (judged, not counted)."""

    OBEDIENCE = "obedience", _("Obedience to management")
    PLANNING = "planning", _("Market planning")
    PROGRESS = "progress", _("Progress")
    SERVICE = "service", _("After-sale service quality")
    PROFIT = "profit", _("Profit contribution")


# Items a salesperson never sees (profit and cost are for managers only).
MANAGER_ONLY_ITEMS = frozenset({ReviewItem.PROFIT.value})


class ReviewWeights(EffectiveDatedPolicy):
    """Weights (%) of the scored evaluation items, set by the admin; they must sum to 100 %."""

    obedience = models.DecimalField(_("obedience to management (%)"), max_digits=5, decimal_places=2)
    planning = models.DecimalField(_("market planning (%)"), max_digits=5, decimal_places=2)
    progress = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2)
    service = models.DecimalField(_("after-sale service quality (%)"), max_digits=5, decimal_places=2)
    profit = models.DecimalField(_("profit contribution (%)"), max_digits=5, decimal_places=2)

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("evaluation item weights")
        verbose_name_plural = _("evaluation item weights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(obedience__gte=0, planning__gte=0, progress__gte=0, service__gte=0, profit__gte=0),
                name="review_weights_not_negative",
            ),
        ]

    def as_dict(self) -> dict[str, Decimal]:
        return {item: getattr(self, item) for item in ReviewItem.values}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .rules import review_weights_error

        error = review_weights_error(self.as_dict())
        if error:
            raise ValidationError(error)

    def __str__(self) -> str:
        return f"{self.effective_from}"


# Used when the admin has set no weights (as the migration seeds them): equal shares summing to 100 %.
DEFAULT_REVIEW_WEIGHTS = ReviewWeights(
    effective_from=dt.date(2000, 1, 1),
    obedience=Decimal(20),
    planning=Decimal(20),
    progress=Decimal(20),
    service=Decimal(20),
    profit=Decimal(20),
)


class ReviewScore(models.Model):
    """One manager-scored item (0–100) of an evaluation, with the weight in force when it was scored."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.CharField(_("item"), max_length=16, choices=ReviewItem.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "item"], name="review_score_unique"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="review_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.score}"


class ImprovementPoint(TimeStampedModel):
    """An improvement point (限時予以改善) of an evaluation: what, who, by when; open until closed."""

    evaluation = models.ForeignKey(
        Evaluation, verbose_name=_("evaluation"), on_delete=models.CASCADE, related_name="improvements"
    )
    text = models.CharField(_("improvement point"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="improvements"
    )
    due_on = models.DateField(_("deadline"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("improvement point")
        verbose_name_plural = _("improvement points")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "closed_at", "due_on"], name="improvement_open_idx")]

    def __str__(self) -> str:
        return self.text


class Lesson(TimeStampedModel):
    """A successful case (成功的經驗) a manager publishes for the team, linked to its customer and/or contract."""

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="lessons"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="lessons"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what worked"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class LessonRead(models.Model):
    """One reader of a lesson (counted once, however often they open it)."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reader"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson read")
        verbose_name_plural = _("lesson reads")
        constraints = [models.UniqueConstraint(fields=["lesson", "reader"], name="lesson_read_once")]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.reader_id}"
