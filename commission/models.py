"""Commission and expenses: the rule book as data, expense claims, cost inputs, bonuses and frozen statements.

Rates are stored as percentages (50.000 means 50 %). A statement for a month uses the newest rule set whose
effective date is on or before the last day of that month (see commission/README.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.unit_policy import UnitPolicy, approval_constraint
from core.models import EffectiveDatedPolicy, TimeStampedModel

from .querysets import ContractChildQuerySet, StatementQuerySet

PERCENT: dict[str, Any] = {
    "max_digits": 6,
    "decimal_places": 3,
    "validators": [MinValueValidator(0), MaxValueValidator(100)],
}
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class CommissionRuleSet(TimeStampedModel, EffectiveDatedPolicy):
    """The rates and periods of the rule book, in force from `effective_from` until the next rule set."""

    name = models.CharField(_("name"), max_length=100)
    commission_percent = models.DecimalField(
        _("commission on the above-standard part (%)"), default=Decimal("50"), **PERCENT
    )
    retention_hold_percent = models.DecimalField(
        _("commission held until retention is collected (%)"), default=Decimal("20"), **PERCENT
    )
    # Overdue interest (grace months, monthly rate) is the receivables policy's: receivables.ReceivablesPolicy.
    expense_margin_threshold_percent = models.DecimalField(
        _("expense allowance margin threshold (%)"), default=Decimal("25"), **PERCENT
    )
    expense_low_margin_percent = models.DecimalField(
        _("allowance below the threshold (% of gross profit)"), default=Decimal("20"), **PERCENT
    )
    expense_high_margin_percent = models.DecimalField(
        _("allowance at or above the threshold (% of sales)"), default=Decimal("6"), **PERCENT
    )
    market_fund_percent = models.DecimalField(_("market service fund (% of sales)"), default=Decimal("2"), **PERCENT)
    note = models.TextField(_("note"), blank=True)

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("commission rule set")
        verbose_name_plural = _("commission rule sets")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%Y-%m-%d})"


UNIT_PERCENT: dict[str, Any] = {**PERCENT, "null": True, "blank": True}


class UnitCommissionPolicy(UnitPolicy):
    """A unit's own commission rates (實施細則) over the company's rule set in force: each value left empty keeps
    the rule set's. In force from `effective_from` once the GM office has approved it (`accounts.unit_policy`).
    The market service fund stays the company's (the company sets it aside, per unit ledger, at one rate)."""

    OVERRIDES = (
        "commission_percent",
        "retention_hold_percent",
        "expense_margin_threshold_percent",
        "expense_low_margin_percent",
        "expense_high_margin_percent",
    )

    commission_percent = models.DecimalField(_("commission on the above-standard part (%)"), **UNIT_PERCENT)
    retention_hold_percent = models.DecimalField(_("commission held until retention is collected (%)"), **UNIT_PERCENT)
    expense_margin_threshold_percent = models.DecimalField(_("expense allowance margin threshold (%)"), **UNIT_PERCENT)
    expense_low_margin_percent = models.DecimalField(
        _("allowance below the threshold (% of gross profit)"), **UNIT_PERCENT
    )
    expense_high_margin_percent = models.DecimalField(
        _("allowance at or above the threshold (% of sales)"), **UNIT_PERCENT
    )

    class Meta(UnitPolicy.Meta):
        verbose_name = _("unit commission policy")
        verbose_name_plural = _("unit commission policies")
        constraints = [approval_constraint("unit_commission_policy_approved_has_approver")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.effective_from}"


class ContractCost(TimeStampedModel):
    """Confidential cost of goods of a contract: the input of gross profit and margin. Never shown to salespeople."""

    contract = models.OneToOneField(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.CASCADE, related_name="commission_cost"
    )
    cost = models.DecimalField(_("cost of goods"), validators=[MinValueValidator(0)], **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract cost")
        verbose_name_plural = _("contract costs")
        constraints = [models.CheckConstraint(condition=models.Q(cost__gte=0), name="contract_cost_non_negative")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.cost}"


class ExpenseKind(models.TextChoices):
    ADVANCE = "advance", _("Expense advance")
    CLAIM = "claim", _("Expense claim")


class ExpenseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ExpenseClaim(TimeStampedModel):
    """An expense advance or claim (業務費用) on a contract; counts against the allowance once approved."""

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="expense_claims"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimant"), on_delete=models.PROTECT, related_name="expense_claims"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExpenseKind.choices, default=ExpenseKind.CLAIM)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=200)
    incurred_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=16, choices=ExpenseStatus.choices, default=ExpenseStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-incurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_on__isnull=False),
                name="expense_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.amount} ({self.status})"


class BonusBasis(models.TextChoices):
    SALES = "sales", _("Sales amount")
    PROFIT = "profit", _("Gross profit")


class CooperationBonus(TimeStampedModel):
    """A non-sales staff member who brought in a deal earns a bonus at a rate set for that deal (合作獎金)."""

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="cooperation_bonuses"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="cooperation_bonuses",
    )
    rate_percent = models.DecimalField(_("rate (%)"), **PERCENT)
    basis = models.CharField(_("basis"), max_length=16, choices=BonusBasis.choices, default=BonusBasis.SALES)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperation bonus")
        verbose_name_plural = _("cooperation bonuses")
        constraints = [models.UniqueConstraint(fields=["contract", "staff"], name="cooperation_bonus_unique")]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.staff_id} {self.rate_percent}%"


class ClosedMonth(models.Model):
    """A commission month closed by finance: its statements are stored and never recomputed."""

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month."))
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="closed_month_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class CommissionStatement(models.Model):
    """The frozen statement of one person for one closed month. `data` is exactly what every view renders."""

    month = models.DateField(_("month"), db_index=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="commission_statements",
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    net = models.DecimalField(_("net commission"), **MONEY)
    data = models.JSONField(_("statement"))
    closed_at = models.DateTimeField(_("closed at"))

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        ordering = ["-month", "salesperson_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "salesperson"], name="statement_one_per_person_month"),
        ]

    def __str__(self) -> str:
        return f"{self.salesperson_id} {self.month:%Y-%m}"


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    BAD_DEBT = "bad_debt", _("Bad debt (joint liability)")
    # Posted by the commission app itself when a bad-debt write-off is approved (or reversed): never by hand.
    LIABILITY = "liability", _("Joint liability for a bad-debt write-off")
    LIABILITY_REVERSAL = "liability_reversal", _("Joint liability credited back (write-off reversed)")


MANUAL_CORRECTION_KINDS = (CorrectionKind.CORRECTION, CorrectionKind.BAD_DEBT)
LIABILITY_KINDS = (CorrectionKind.LIABILITY, CorrectionKind.LIABILITY_REVERSAL)


class CommissionCorrection(TimeStampedModel):
    """A line finance adds to a person's statement for an open month: a correction or a bad debt charged to them;
    or the joint liability (連帶賠償) of an approved bad-debt write-off, posted when it is approved (and credited
    back by a second line if the write-off is reversed), one line per write-off and kind, its inputs kept in
    `inputs`.

    Append-only: a wrong correction is undone by another correction, never edited.
    """

    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        related_name="commission_corrections",
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commission_corrections",
    )
    month = models.DateField(_("month"), db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION)
    amount = models.DecimalField(_("amount"), help_text=_("Negative to deduct."), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    write_off = models.ForeignKey(
        "receivables.WriteOff",
        verbose_name=_("bad-debt write-off"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission correction")
        verbose_name_plural = _("commission corrections")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="correction_amount_not_zero"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="correction_month_first_day"),
            models.CheckConstraint(
                condition=(models.Q(kind__in=["liability", "liability_reversal"]) & models.Q(write_off__isnull=False))
                | (~models.Q(kind__in=["liability", "liability_reversal"]) & models.Q(write_off__isnull=True)),
                name="correction_liability_names_its_write_off",
            ),
            models.UniqueConstraint(
                fields=["write_off", "kind"],
                condition=models.Q(write_off__isnull=False),
                name="correction_one_line_per_write_off_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.salesperson_id} {self.month:%Y-%m} {self.amount}"


# --------------------------------------------------------------------------------------------------------------
# Market service fund (市場服務基金): a ledger per sales unit, accrued on each month's sales, spent with approval
# --------------------------------------------------------------------------------------------------------------
class FundEntryKind(models.TextChoices):
    ACCRUAL = "accrual", _("Accrued on the month's sales")
    VISIT = "visit", _("Follow-up visits (市場回訪)")
    AWARD = "award", _("Year-end award")


class FundPurpose(models.TextChoices):
    VISIT = "visit", _("Follow-up visits (市場回訪)")
    AWARD = "award", _("Year-end award")


class FundSpendStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MarketFundSpend(TimeStampedModel):
    """A request to spend from a unit's market service fund (follow-up visits, or a year-end award to a named
    salesperson); the GM office approves or rejects it. Only an approved request writes to the ledger."""

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=8, choices=FundPurpose.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=300)
    spend_on = models.DateField(_("date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("awarded to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_fund_awards",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FundSpendStatus.choices, default=FundSpendStatus.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("market fund spending request")
        verbose_name_plural = _("market fund spending requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="fund_spend_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(purpose="award") | models.Q(recipient__isnull=True),
                name="fund_spend_recipient_only_for_awards",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.get_purpose_display()} {self.amount} ({self.status})"


class MarketFundEntry(models.Model):
    """One line of the market service fund's ledger. Append-only: never edited or deleted; an accrual that
    changes (a contract cancelled after the month was accrued) is corrected by a further accrual line of the
    difference. Accruals are positive, spending negative; a unit's balance is the sum of its lines."""

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month the line belongs to."))
    kind = models.CharField(_("kind"), max_length=8, choices=FundEntryKind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    sales_base = models.DecimalField(_("sales of the month"), null=True, blank=True, **MONEY)
    rate_percent = models.DecimalField(
        _("rate (%)"), max_digits=6, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    spend = models.ForeignKey(
        MarketFundSpend,
        verbose_name=_("spending request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("market fund ledger line")
        verbose_name_plural = _("market fund ledger")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["unit", "month"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="fund_entry_amount_not_zero"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="fund_entry_month_first_day"),
            models.CheckConstraint(
                condition=models.Q(kind="accrual") | (models.Q(amount__lt=0) & models.Q(spend__isnull=False)),
                name="fund_entry_spending_is_negative_and_approved",
            ),
            models.UniqueConstraint(fields=["spend"], name="fund_entry_one_per_spend"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Market fund ledger lines are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Market fund ledger lines are append-only.")
