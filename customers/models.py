from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .querysets import ContactLogQuerySet, CustomerQuerySet


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class CustomerTier(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary customer")
    MEMBER = "member", _("Member customer")


class Customer(TimeStampedModel):
    """Customer profile card (客戶檔案表)."""

    name = models.CharField(_("legal name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tax_id = models.CharField(_("tax / registration number"), max_length=32, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    region = models.CharField(_("sales region"), max_length=60, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT, db_index=True
    )
    tier = models.CharField(_("tier"), max_length=16, choices=CustomerTier.choices, default=CustomerTier.ORDINARY)
    member_level = models.CharField(_("member level"), max_length=30, blank=True)
    credit_rating = models.CharField(_("credit rating"), max_length=10, blank=True)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=14, decimal_places=2, default=0)
    is_trusted = models.BooleanField(
        _("trusted existing customer"),
        default=False,
        help_text=_("May order on a signed purchase order instead of a full contract, with the department's consent."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit",
        verbose_name=_("sales unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(fields=["owner", "status"]), models.Index(fields=["unit", "status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Contact(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name"]

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")


class ContactLog(TimeStampedModel):
    """One contact with a customer (回訪 / 拜訪記錄) and the next step agreed."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_logs"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="contact_logs"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact person"), on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices, default=ContactKind.VISIT)
    happened_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    buying_signals = models.TextField(_("buying signals"), blank=True)
    objections = models.TextField(_("objections"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True, db_index=True)

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact logs")
        ordering = ["-happened_at"]
        indexes = [models.Index(fields=["author", "happened_at"])]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_kind_display()} {self.happened_at:%Y-%m-%d}"
