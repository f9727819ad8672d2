from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .querysets import ContractChildQuerySet, ContractQuerySet


class Product(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit_of_measure = models.CharField(_("unit"), max_length=20, default="pcs")
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    FILED = "filed", _("Filed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Contract(TimeStampedModel):
    """A contract or order (經濟契約 / 訂單). `amount` is the sum of its lines, kept by the sales services."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="contracts"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="contracts"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ContractStatus.choices, default=ContractStatus.DRAFT, db_index=True
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True, db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    prepayment_amount = models.DecimalField(_("prepayment"), max_digits=14, decimal_places=2, default=Decimal("0"))
    retention_amount = models.DecimalField(_("retention money"), max_digits=14, decimal_places=2, default=Decimal("0"))
    retention_due_on = models.DateField(_("retention due on"), null=True, blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["unit", "signed_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="contract_amount_non_negative"),
            models.CheckConstraint(
                condition=models.Q(retention_amount__gte=0) & models.Q(prepayment_amount__gte=0),
                name="contract_parts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ContractLine(models.Model):
    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    # The standard price in force when the line was written: later price-list changes never rewrite history.
    standard_price = models.DecimalField(_("standard price"), max_digits=14, decimal_places=2)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="contract_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="contract_line_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.product_id} x {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


class Shipment(TimeStampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="shipments"
    )
    shipped_on = models.DateField(_("shipped on"), db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_on"]


class PaymentKind(models.TextChoices):
    PREPAYMENT = "prepayment", _("Prepayment")
    PROGRESS = "progress", _("Progress payment")
    FINAL = "final", _("Final payment")
    RETENTION = "retention", _("Retention money")


class Payment(TimeStampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    paid_on = models.DateField(_("paid on"), db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=16, choices=PaymentKind.choices, default=PaymentKind.PROGRESS)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]
