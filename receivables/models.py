"""The receivables policy: every threshold of the one receivables module, effective-dated."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import EffectiveDatedPolicy, TimeStampedModel

from . import rules


def default_bucket_edges() -> list[int]:
    return list(rules.Policy().bucket_edges)


class ReceivablesPolicy(TimeStampedModel, EffectiveDatedPolicy):
    """When a shipment falls due, what overdue interest costs, when the salesperson is warned, how aging is cut."""

    grace_months = models.PositiveSmallIntegerField(
        _("months after shipping before interest"), default=2, validators=[MaxValueValidator(36)]
    )
    interest_percent_per_month = models.DecimalField(
        _("overdue interest per month (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    warning_days = models.PositiveSmallIntegerField(
        _("warn the salesperson this many days before interest starts"), default=7, validators=[MaxValueValidator(90)]
    )
    bucket_edges = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("aging bucket edges (days past due)"),
        default=default_bucket_edges,
        size=8,
    )

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("receivables policy")
        verbose_name_plural = _("receivables policies")

    def __str__(self) -> str:
        return f"{self.effective_from}"

    def clean(self) -> None:
        edges = list(self.bucket_edges or [])
        if not edges or any(e <= 0 for e in edges) or edges != sorted(set(edges)):
            raise ValidationError({"bucket_edges": _("Give increasing numbers of days, each above zero.")})

    def as_rules(self) -> rules.Policy:
        return rules.Policy(
            grace_months=self.grace_months,
            monthly_rate=self.interest_percent_per_month / Decimal(100),
            warning_days=self.warning_days,
            bucket_edges=tuple(self.bucket_edges),
        )


class NoteKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    PROMISE = "promise", _("Promise to pay")
    NOTE = "note", _("Note")


class CollectionNote(TimeStampedModel):
    """The collections log of a customer: calls, visits, notes and promises to pay (a date and an amount).
    A promise is missed when, by its date, the customer's payments since the promise fall short of its amount."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="collection_notes"
    )
    contract = models.ForeignKey(
        "sales.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collection_notes",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=NoteKind.choices, default=NoteKind.CALL)
    happened_on = models.DateField(_("date"))
    promised_on = models.DateField(_("promised payment date"), null=True, blank=True)
    promised_amount = models.DecimalField(_("promised amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        "accounts.User", verbose_name=_("author"), on_delete=models.PROTECT, related_name="collection_notes"
    )

    class Meta:
        verbose_name = _("collection note")
        verbose_name_plural = _("collection notes")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["kind", "promised_on"], name="recv_note_promise_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="promise") | models.Q(promised_on__isnull=False, promised_amount__gt=0),
                name="recv_promise_has_date_and_amount",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.happened_on}"


class WriteOffStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


class WriteOff(TimeStampedModel):
    """A bad-debt write-off of (part of) a contract's receivable, approved by finance or the GM office, with the
    salesperson's joint liability (連帶賠償) recorded against them. An approved write-off counts as settled credit
    (oldest shipment first) in the receivables module from the day it was approved: that part stops accruing
    interest. A reversed write-off (the debt reinstated) counted from its approval until the day it was reversed:
    from then on the amount is owed, and accrues, again. The commission app posts the joint liability to the
    salesperson's statement (and credits it back on reversal)."""

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="write_offs"
    )
    amount = models.DecimalField(_("amount written off"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    liable = models.ForeignKey(
        "accounts.User",
        verbose_name=_("salesperson liable"),
        on_delete=models.PROTECT,
        related_name="write_off_liabilities",
    )
    liability_amount = models.DecimalField(_("joint liability (連帶賠償)"), max_digits=14, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=WriteOffStatus.choices, default=WriteOffStatus.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        "accounts.User", verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    reversed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("reversed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reversed_on = models.DateField(_("reversed on"), null=True, blank=True)
    reversal_note = models.TextField(_("reason for the reversal"), blank=True)

    class Meta:
        verbose_name = _("bad-debt write-off")
        verbose_name_plural = _("bad-debt write-offs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="recv_write_off_positive"),
            models.CheckConstraint(
                condition=models.Q(liability_amount__gte=0, liability_amount__lte=models.F("amount")),
                name="recv_liability_within_amount",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "reversed"]) | models.Q(decided_on__isnull=False),
                name="recv_write_off_decided_has_date",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="reversed") & models.Q(reversed_on__gte=models.F("decided_on")))
                | (~models.Q(status="reversed") & models.Q(reversed_on__isnull=True)),
                name="recv_write_off_reversal_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.amount}"
