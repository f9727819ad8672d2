"""Company settings (the letterhead), documents sent to customers, attachments, purchase-order basis and the
filing receipts of signed contracts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.models import TimeStampedModel

from .validators import validate_tax_id


class CompanySettings(TimeStampedModel):
    """The one row of the company's letterhead and document defaults (pk 1), edited by the admin."""

    legal_name_zh = models.CharField(_("legal name (Chinese)"), max_length=200, blank=True)
    legal_name_en = models.CharField(_("legal name (English)"), max_length=200, blank=True)
    tax_id = models.CharField(
        _("business administration number (統一編號)"), max_length=8, blank=True, validators=[validate_tax_id]
    )
    address_zh = models.CharField(_("address (Chinese)"), max_length=255, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    logo = models.ImageField(_("logo"), upload_to="company/", blank=True)
    bank_account = models.TextField(
        _("bank account"), blank=True, help_text=_("Bank, branch, account name and number.")
    )
    default_payment_terms = models.TextField(_("default payment terms"), blank=True)
    quote_validity_days = models.PositiveSmallIntegerField(
        _("quote validity (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    tax_rate_percent = models.DecimalField(
        _("business tax rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    prices_include_tax = models.BooleanField(
        _("prices include tax by default"),
        default=False,
        help_text=_("Each quote and contract may say otherwise."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tax_rate_percent__gte=0) & models.Q(tax_rate_percent__lte=100),
                name="company_settings_tax_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name_zh or self.legal_name_en or str(_("Company settings"))


class DocumentKind(models.TextChoices):
    QUOTE = "sales.quote", _("quote")
    CONTRACT = "sales.contract", _("contract")


class TaxMode(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Prices exclude tax (tax added)")
    INCLUSIVE = "inclusive", _("Prices include tax")


class DocumentOptions(TimeStampedModel):
    """Per quote or contract: whether its prices include the business tax (營業稅). No row: the company default."""

    document = models.CharField(_("document type"), max_length=40, choices=DocumentKind.choices)
    document_id = models.BigIntegerField(_("document id"))
    tax_mode = models.CharField(_("tax"), max_length=16, choices=TaxMode.choices)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document options")
        verbose_name_plural = _("document options")
        constraints = [
            models.UniqueConstraint(fields=["document", "document_id"], name="document_options_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document}:{self.document_id} {self.tax_mode}"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Dispatch(TimeStampedModel):
    """One document e-mailed to a customer: the exact PDF sent (stored file + SHA-256), to whom, by whom, when."""

    document = models.CharField(_("document type"), max_length=40, choices=DocumentKind.choices)
    document_id = models.BigIntegerField(_("document id"))
    number = models.CharField(_("number"), max_length=32)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"))
    pdf = models.FileField(_("PDF"), upload_to="dispatches/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=DispatchStatus.choices, default=DispatchStatus.QUEUED)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("document sent")
        verbose_name_plural = _("documents sent")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["document", "document_id"], name="dispatch_document")]

    def __str__(self) -> str:
        return f"{self.number} → {self.to}"


class AttachmentTarget(models.TextChoices):
    CUSTOMER = "customers.customer", _("customer")
    QUOTE = "sales.quote", _("quote")
    CONTRACT = "sales.contract", _("contract")
    PURCHASE_ORDER = "documents.purchaseorder", _("purchase order")
    MARKET_REPORT = "field.marketreport", _("market report")


class Attachment(TimeStampedModel):
    """A file on a customer, quote, contract or purchase order, kept through Django's storage API (local folder or
    an S3-compatible bucket) and served only by a permission-checked view. Deleting keeps the row (audit trail)
    and removes the file."""

    target = models.CharField(_("attached to"), max_length=40, choices=AttachmentTarget.choices)
    target_id = models.BigIntegerField(_("record id"))
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target", "target_id"], name="attachment_target")]

    def __str__(self) -> str:
        return self.name


class AttachmentEvent(models.Model):
    """Audit trail of an attachment: uploaded, downloaded, deleted — who and when. Append-only."""

    class Action(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        DOWNLOADED = "downloaded", _("downloaded")
        DELETED = "deleted", _("deleted")

    attachment = models.ForeignKey(
        Attachment, verbose_name=_("attachment"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("attachment event")
        verbose_name_plural = _("attachment events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.attachment_id} {self.action}"


class PurchaseOrder(TimeStampedModel):
    """The customer's signed purchase order (採購單) on which an order is based instead of a full contract: its
    number, who signed it for the customer, and its scan. The department's consent is the contract's own
    (`Contract.po_consent_by/at`, given by the department manager's approval)."""

    contract = models.OneToOneField(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="purchase_order"
    )
    po_number = models.CharField(_("purchase order number"), max_length=64)
    signer_name = models.CharField(_("signed for the customer by"), max_length=100)
    signer_title = models.CharField(_("signer's title"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"))
    scan = models.ForeignKey(
        Attachment,
        verbose_name=_("scan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.po_number


class FilingDepartment(models.TextChoices):
    FINANCE = "finance", _("Finance (財務計畫部)")
    GM_OFFICE = "gm_office", _("GM office (總經辦)")
    ADMINISTRATION = "administration", _("Administration (行政管理部)")


class FilingDesk(TimeStampedModel):
    """Who confirms receipt of a filed contract original for one department: a named user, or anyone with a role.
    Set by the admin. With no row, finance and the GM office confirm by their role; administration needs a row."""

    department = models.CharField(_("department"), max_length=20, choices=FilingDepartment.choices, unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("filing desk")
        verbose_name_plural = _("filing desks")
        ordering = ["department"]

    def __str__(self) -> str:
        return self.get_department_display()


class FilingReceipt(models.Model):
    """One department confirmed it received the original of a signed contract. One per contract and department."""

    contract = models.ForeignKey(
        "sales.Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="filing_receipts"
    )
    department = models.CharField(_("department"), max_length=20, choices=FilingDepartment.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("filing receipt")
        verbose_name_plural = _("filing receipts")
        ordering = ["contract", "department"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "department"], name="filing_receipt_once_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.department}"
