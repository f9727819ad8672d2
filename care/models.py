"""After-sale care: check-ups after each delivery, cases (complaints, questions, returns) with one owner,
the customer's lifecycle, referrals and customer gatherings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import EffectiveDatedPolicy, TimeStampedModel
from core.visibility import VisibleQuerySet


def _member_days() -> list[int]:
    return [7, 30, 90]


def _ordinary_days() -> list[int]:
    return [14]


class CarePolicy(TimeStampedModel, EffectiveDatedPolicy):
    """The care rules' numbers, company-wide, with an effective date (rows never change back)."""

    member_checkup_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("member check-ups (days after delivery)"),
        default=_member_days,
    )
    ordinary_checkup_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("ordinary customer check-ups (days after delivery)"),
        default=_ordinary_days,
    )
    low_score = models.PositiveSmallIntegerField(
        _("a score at or below this opens a case"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    urgent_hours = models.PositiveIntegerField(_("urgent case: hours to resolve"), default=24)
    high_hours = models.PositiveIntegerField(_("high severity: hours to resolve"), default=72)
    normal_hours = models.PositiveIntegerField(_("normal severity: hours to resolve"), default=168)
    low_hours = models.PositiveIntegerField(_("low severity: hours to resolve"), default=336)
    lapse_margin_days = models.PositiveSmallIntegerField(_("lapsed: days past the predicted reorder"), default=30)
    dormant_after_days = models.PositiveSmallIntegerField(_("dormant: days after lapsing"), default=180)

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("care policy")
        verbose_name_plural = _("care policies")

    def __str__(self) -> str:
        return f"{self.effective_from}"


class CheckupCadence(models.Model):
    """A product category's own check-up days for a tier (overrides the policy's default for that tier)."""

    category = models.CharField(_("product category"), max_length=60)
    tier = models.CharField(_("tier"), max_length=16, choices=[("member", _("Member")), ("ordinary", _("Ordinary"))])
    days = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("days after delivery"))

    class Meta:
        verbose_name = _("check-up cadence")
        verbose_name_plural = _("check-up cadences")
        constraints = [models.UniqueConstraint(fields=["category", "tier"], name="care_cadence_once")]

    def __str__(self) -> str:
        return f"{self.category} / {self.tier}: {self.days}"


class CustomerUnitQuerySet(VisibleQuerySet):
    """Rows owned by a person and scoped by their customer's unit (check-ups and cases)."""

    unit_field = "customer__unit"


class Checkup(TimeStampedModel):
    """One satisfaction and usage check-up, due a number of days after a delivery."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="checkups"
    )
    shipment = models.ForeignKey(
        "sales.Shipment", verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="checkups"
    )
    offset_days = models.PositiveSmallIntegerField(_("days after delivery"))
    due_on = models.DateField(_("due on"), db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usage_notes = models.TextField(_("how the product is used"), blank=True, max_length=2000)
    follow_up = models.TextField(_("follow-up"), blank=True, max_length=1000)

    objects = CustomerUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("check-up")
        verbose_name_plural = _("check-ups")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "offset_days"], name="care_checkup_once"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5), name="care_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=models.Q(done_at__isnull=True), name="care_checkup_open")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} +{self.offset_days}d"


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")
    RETURN = "return", _("Return")


class CaseSeverity(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, waiting for the customer")
    CLOSED = "closed", _("Closed (customer confirmed)")


class Case(TimeStampedModel):
    """A complaint, question or return: one owner from opening to close (the customer's salesperson unless handed
    to a named colleague), a due time by severity, escalation to the manager when overdue."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="cases"
    )
    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices, default=CaseKind.COMPLAINT)
    severity = models.CharField(_("severity"), max_length=10, choices=CaseSeverity.choices, default=CaseSeverity.NORMAL)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due by"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True, max_length=4000)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("customer confirmed at"), null=True, blank=True)
    checkup = models.ForeignKey(
        Checkup, verbose_name=_("from check-up"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CustomerUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="care_case_owner"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["open", "in_progress"], escalated_at__isnull=True),
                name="care_case_escalate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class LifecycleStage(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    DORMANT = "dormant", _("Dormant")


class CustomerLifecycle(models.Model):
    """Where a customer is in its life with us now (kept by a daily task); every change is a LifecycleTransition."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="lifecycle"
    )
    stage = models.CharField(_("stage"), max_length=10, choices=LifecycleStage.choices, db_index=True)
    since = models.DateField(_("since"))
    reason = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("customer lifecycle")
        verbose_name_plural = _("customer lifecycles")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.stage}"


class LifecycleTransition(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    from_stage = models.CharField(_("from"), max_length=10, choices=LifecycleStage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=10, choices=LifecycleStage.choices)
    on = models.DateField(_("on"))
    reason = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lifecycle transition")
        verbose_name_plural = _("lifecycle transitions")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["customer", "-on"], name="care_lifecycle_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_stage} -> {self.to_stage}"


class Referral(models.Model):
    """Who brought a customer to us: another customer (or one of its contacts)."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("referred customer"), on_delete=models.CASCADE, related_name="referral"
    )
    referrer = models.ForeignKey(
        "customers.Customer", verbose_name=_("referred by"), on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("referring contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("noted by"), on_delete=models.PROTECT, related_name="+"
    )
    noted_at = models.DateTimeField(_("noted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(condition=~models.Q(customer=models.F("referrer")), name="care_referral_not_self")
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id} -> {self.customer_id}"


class Gathering(TimeStampedModel):
    """A customer gathering (家庭式小聚會): date, place, invited customers, attendance and outcome."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    unit = models.ForeignKey("accounts.SalesUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(_("outcome"), blank=True, max_length=4000)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=Decimal("0"))

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer gathering")
        verbose_name_plural = _("customer gatherings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class GatheringGuest(models.Model):
    gathering = models.ForeignKey(
        Gathering, verbose_name=_("gathering"), on_delete=models.CASCADE, related_name="guests"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [models.UniqueConstraint(fields=["gathering", "customer"], name="care_guest_once")]

    def __str__(self) -> str:
        return f"{self.gathering_id}: {self.customer_id}"
