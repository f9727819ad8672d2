from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Role(models.TextChoices):
    SALESPERSON = "salesperson", _("Salesperson")
    MANAGER = "manager", _("Department manager")
    GM_OFFICE = "gm_office", _("General manager's office")
    FINANCE = "finance", _("Finance")
    ADMIN = "admin", _("Admin")
    STAFF = "staff", _("Non-sales staff")


COMPANY_WIDE_ROLES = {Role.GM_OFFICE, Role.FINANCE, Role.ADMIN}
SELLER_ROLES = {Role.SALESPERSON, Role.MANAGER}


class SalesUnit(TimeStampedModel):
    """A sales unit (單位): a team led by a department manager."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_units",
    )

    class Meta:
        verbose_name = _("sales unit")
        verbose_name_plural = _("sales units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SALESPERSON, db_index=True)
    unit = models.ForeignKey(
        SalesUnit,
        verbose_name=_("sales unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hant")
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Kept by accounts.services (enrol, disable, reset) beside the django-otp device, so every request can tell
    # whether a second step is due without a query.
    two_factor_enabled = models.BooleanField(_("two-factor authentication"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    @property
    def is_salesperson(self) -> bool:
        return self.role == Role.SALESPERSON

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_seller(self) -> bool:
        """Salespeople and department managers: the roles that own customers and write quotes and contracts."""
        return self.role in SELLER_ROLES

    @property
    def is_gm_office(self) -> bool:
        return self.role == Role.GM_OFFICE

    @property
    def is_finance(self) -> bool:
        return self.role == Role.FINANCE

    @property
    def is_staff_role(self) -> bool:
        """Non-sales staff (not Django's is_staff, which opens the admin site)."""
        return self.role == Role.STAFF

    @property
    def is_company_wide(self) -> bool:
        """GM office, finance and admins see the whole company."""
        return self.is_superuser or self.role in COMPANY_WIDE_ROLES

    @property
    def is_admin_role(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @cached_property
    def team_unit_ids(self) -> frozenset[int]:
        """Units whose data a manager sees: the unit they belong to and every unit they manage."""
        ids = set(self.managed_units.values_list("id", flat=True)) if self.pk else set()
        if self.unit_id:
            ids.add(self.unit_id)
        return frozenset(ids)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app (lost phone). Only its SHA-256 is stored: the
    codes are 60 random bits each, shown once when they are made (accounts/README.md)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user")
    )
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {'used' if self.used_at else 'unused'}"
