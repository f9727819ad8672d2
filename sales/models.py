from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.unit_policy import UnitPolicy, approval_constraint
from core.models import EffectiveDatedPolicy, TimeStampedModel

from .querysets import ContractChildQuerySet, ContractQuerySet, QuoteChildQuerySet


class Product(TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    unit_of_measure = models.CharField(_("unit"), max_length=20, default="pcs")
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    is_active = models.BooleanField(_("active"), default=True)
    # 書面(蓋章)詢價: raw-material prices move, so every quote needs the producing unit's written answer in force.
    needs_price_inquiry = models.BooleanField(
        _("needs a written price inquiry"),
        default=False,
        help_text=_("Raw-material prices move: quotes use the producing unit's answered price while it is valid."),
    )
    producing_unit = models.ForeignKey(
        "accounts.SalesUnit",
        verbose_name=_("producing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="produced_products",
        help_text=_("Its manager answers the written price inquiries."),
    )

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class _MethodList(TimeStampedModel):
    """An admin-maintained list entry (code, names in both languages, order, active). Rows are never deleted once
    used (PROTECT): an admin deactivates them instead. Exactly one active row may be the default for new deals."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default for new deals"), default=False)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (the Chinese name where no English one is given)."""
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class SettlementMethod(_MethodList):
    """結算方式: how the customer pays (cash, transfer, monthly statement, L/C, ...)."""

    class Meta(_MethodList.Meta):
        verbose_name = _("settlement method")
        verbose_name_plural = _("settlement methods")


class SalesMethod(_MethodList):
    """銷售方式: how the deal is sold (direct, through a distributor, as a project, ...)."""

    class Meta(_MethodList.Meta):
        verbose_name = _("sales method")
        verbose_name_plural = _("sales methods")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    FILED = "filed", _("Filed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# The one meaning of "sold": a contract counts as a sale (and its amount as owed by the customer) once signed, and
# stays one when filed. Plain strings, so the tuple also goes into raw SQL parameters.
SOLD_STATUSES: tuple[str, ...] = (ContractStatus.SIGNED.value, ContractStatus.FILED.value)


class ContractBasis(models.TextChoices):
    CONTRACT = "contract", _("Full contract")
    PURCHASE_ORDER = "purchase_order", _("Purchase order signed by the customer")


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
    # Why a contract of the prepayment threshold or more has no prepayment: makes it an exception for the GM office.
    prepayment_exception_reason = models.TextField(_("reason for no prepayment"), blank=True)
    retention_amount = models.DecimalField(_("retention money"), max_digits=14, decimal_places=2, default=Decimal("0"))
    retention_due_on = models.DateField(_("retention due on"), null=True, blank=True)
    # Added by the sales workflow (issue 4).
    title = models.CharField(pgettext_lazy("contract", "title"), max_length=200, blank=True)
    quote = models.ForeignKey(
        "sales.Quote", verbose_name=_("quote"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    basis = models.CharField(_("basis"), max_length=16, choices=ContractBasis.choices, default=ContractBasis.CONTRACT)
    # 結算方式 / 銷售方式: set by the services on every new contract (the list's default when not chosen).
    settlement_method = models.ForeignKey(
        SettlementMethod,
        verbose_name=_("settlement method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    sales_method = models.ForeignKey(
        SalesMethod,
        verbose_name=_("sales method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    payment_terms = models.TextField(_("payment terms"), blank=True)
    cost_total = models.DecimalField(
        _("internal cost"), max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("Confidential.")
    )
    po_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("purchase order basis consented by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    po_consent_at = models.DateTimeField(_("purchase order basis consented at"), null=True, blank=True)
    review_round = models.PositiveIntegerField(_("review round"), default=0)
    submitted_at = models.DateTimeField(pgettext_lazy("review", "submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    filing_due_on = models.DateField(_("filing due on"), null=True, blank=True, db_index=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["unit", "signed_on"]),
            # Every offered sort order ended by the id that breaks ties (bulk imports share a timestamp).
            models.Index(fields=["created_at", "id"], name="contract_created_idx"),
            models.Index(fields=["number"], opclasses=["varchar_pattern_ops"], name="contract_number_prefix_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="contract_owner_created_idx"),
            models.Index(fields=["amount", "id"], name="contract_amount_idx"),
            models.Index(fields=["signed_on", "id"], name="contract_signed_idx"),
            models.Index(fields=["updated_at"], name="contract_updated_idx"),  # the summaries' incremental refresh
            # Signed contracts wait for their originals' filing receipts (the filing desk, the inbox and its badge,
            # most urgent first): a few days' contracts, never the whole table.
            models.Index(
                fields=["filing_due_on", "id"], condition=models.Q(status="signed"), name="contract_signed_filing_idx"
            ),
        ]
        constraints = [
            # One accepted quote becomes one contract; a cancelled contract frees the quote for a new one.
            models.UniqueConstraint(
                fields=["quote"],
                condition=models.Q(quote__isnull=False) & ~models.Q(status="cancelled"),
                name="contract_one_live_contract_per_quote",
            ),
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
    # The price offered before the discount (defaults to the standard price) and the discount off it, in %;
    # unit_price is the net price actually charged: list_price x (1 - discount_percent / 100), to the cent.
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2, default=Decimal("0"))
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    unit_cost = models.DecimalField(
        _("internal unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("Confidential.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="contract_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="contract_line_price_non_negative"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0) & models.Q(discount_percent__lte=100),
                name="contract_line_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.product_id} x {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def line_cost(self) -> Decimal:
        return self.quantity * self.unit_cost


class Shipment(TimeStampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="shipments"
    )
    shipped_on = models.DateField(_("shipped on"), db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Value of the goods shipped at the contract's net prices (sum of the shipment lines); aging starts here.
    amount = models.DecimalField(_("value shipped"), max_digits=14, decimal_places=2, default=Decimal("0"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["shipped_on", "id"]
        indexes = [models.Index(fields=["shipped_on", "id"], name="shipment_shipped_idx")]

    def __str__(self) -> str:
        return f"{self.contract_id} @ {self.shipped_on}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="lines")
    contract_line = models.ForeignKey(
        ContractLine, verbose_name=_("contract line"), on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_qty_positive")]

    def __str__(self) -> str:
        return f"{self.contract_line_id} x {self.quantity}"


class ReturnStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SalesReturn(TimeStampedModel):
    """退貨: goods of one shipped contract line sent back by the customer, with the amount credited to them.

    Recorded by the salesperson (or their manager), approved by the unit's manager (workflows.SALES_RETURN). An
    approved return counts in the month of its approval (`decided_on`): a negative sale there, a credit on the
    contract's receivable from that day, and less commission (commission.rules.returns); the months before are
    never rewritten."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="returns")
    contract_line = models.ForeignKey(
        ContractLine, verbose_name=_("contract line"), on_delete=models.PROTECT, related_name="returns"
    )
    quantity = models.DecimalField(_("quantity returned"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount credited"), max_digits=14, decimal_places=2)
    reason = models.TextField(_("reason"))
    returned_on = models.DateField(_("returned on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.PENDING, db_index=True
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True, db_index=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["updated_at"], name="sales_return_updated_idx")]  # incremental summaries
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="sales_return_qty_positive"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="sales_return_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(decided_on__isnull=False),
                name="sales_return_approved_has_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.contract_line_id} -{self.quantity}"


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
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    # The invoice the customer named when paying: the payment settles that invoice first (receivables.rules).
    invoice = models.ForeignKey(
        "Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on"]
        indexes = [
            models.Index(fields=["paid_on", "id"], name="payment_paid_idx"),
            models.Index(fields=["amount", "id"], name="payment_amount_idx"),
            models.Index(fields=["updated_at"], name="payment_updated_idx"),  # the summaries' incremental refresh
        ]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]


class Invoice(TimeStampedModel):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"), db_index=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["issued_on", "id"]
        indexes = [models.Index(fields=["issued_on", "id"], name="invoice_issued_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="invoice_amount_positive")]

    def __str__(self) -> str:
        return self.number


# --- Price lists -------------------------------------------------------------------------------------------


class PriceList(TimeStampedModel, EffectiveDatedPolicy):
    """A price list issued by a producing unit, in force from `effective_from` until a later one replaces it."""

    name = models.CharField(_("name"), max_length=120)
    producing_unit = models.CharField(_("producing unit"), max_length=120, blank=True)
    # Not unique (several rows may start the same day; the latest written wins), so redeclared from the base.
    effective_from = models.DateField(_("effective from"), db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"


class PriceListItem(models.Model):
    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="prices")
    standard_price = models.DecimalField(_("standard price"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("internal cost"), max_digits=14, decimal_places=2, help_text=_("Confidential."))

    class Meta:
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        ordering = ["product__code"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique_product"),
            models.CheckConstraint(
                condition=models.Q(standard_price__gte=0) & models.Q(cost__gte=0), name="price_list_item_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.standard_price}"


# --- Discount authority ------------------------------------------------------------------------------------


class SalesLevel(models.Model):
    """A salesperson level (e.g. junior, senior) with a default discount authority set in DiscountAuthority."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="sales_levels"
    )

    class Meta:
        verbose_name = _("sales level")
        verbose_name_plural = _("sales levels")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DiscountAuthority(TimeStampedModel, EffectiveDatedPolicy):
    """折扣許可權: the maximum discount (%) for one salesperson or one level, from a date. Append-only history:
    the row in force is the one with the latest `effective_from` not after the day asked about; a person's own
    row overrides their level's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discount_authorities",
    )
    level = models.ForeignKey(
        SalesLevel,
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="discount_authorities",
    )
    max_discount_percent = models.DecimalField(_("maximum discount %"), max_digits=5, decimal_places=2)
    # Not unique (several rows may start the same day; the latest written wins), so redeclared from the base.
    effective_from = models.DateField(_("effective from"), db_index=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("discount authority")
        verbose_name_plural = _("discount authorities")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(level__isnull=True))
                | (models.Q(user__isnull=True) & models.Q(level__isnull=False)),
                name="discount_authority_user_xor_level",
            ),
            models.CheckConstraint(
                condition=models.Q(max_discount_percent__gte=0) & models.Q(max_discount_percent__lte=100),
                name="discount_authority_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.level}: {self.max_discount_percent}% from {self.effective_from}"


# --- Admin-editable policy ---------------------------------------------------------------------------------


class SalesPolicy(TimeStampedModel, EffectiveDatedPolicy):
    """Thresholds and rates of the rule book, with an effective date. The row in force is the latest
    `effective_from` not after the day; with no row the defaults of the rule book apply."""

    # Not unique (several rows may start the same day; the latest written wins), so redeclared from the base.
    effective_from = models.DateField(_("effective from"), db_index=True)
    margin_review_percent = models.DecimalField(
        _("GM office reviews margins below (%)"), max_digits=5, decimal_places=2, default=Decimal("20")
    )
    prepayment_threshold = models.DecimalField(
        _("prepayment required from amount"), max_digits=14, decimal_places=2, default=Decimal("100000")
    )
    filing_days = models.PositiveSmallIntegerField(_("filing deadline (days after signing)"), default=3)
    quote_valid_days = models.PositiveSmallIntegerField(
        _("a new quote is valid for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A quote written without a validity date is valid until this many days after it is written."),
    )
    default_discount_percent = models.DecimalField(
        _("default discount authority (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    design_rate = models.DecimalField(_("design (%)"), max_digits=5, decimal_places=2, default=Decimal("8"))
    commissioning_rate = models.DecimalField(
        _("commissioning (%)"), max_digits=5, decimal_places=2, default=Decimal("30")
    )
    contingency_rate = models.DecimalField(_("contingency (%)"), max_digits=5, decimal_places=2, default=Decimal("7"))
    management_rate = models.DecimalField(_("management (%)"), max_digits=5, decimal_places=2, default=Decimal("5"))
    profit_tax_rate = models.DecimalField(
        _("profit and tax (%)"), max_digits=5, decimal_places=2, default=Decimal("20")
    )
    salespeople_see_cost = models.BooleanField(
        _("salespeople may see cost and margin"),
        default=False,
        help_text=_(
            "Off (the default): salespeople never see cost, margin, the margin threshold or whether the margin "
            "rule fires; each submission that trips it is logged for their manager."
        ),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sales policy")
        verbose_name_plural = _("sales policies")
        ordering = ["-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{_('Sales policy')} {self.effective_from}"


class UnitSalesPolicy(UnitPolicy):
    """A unit's own rules (實施細則) for the sales policy: each value left empty falls back to the company's
    SalesPolicy. A row takes effect from `effective_from` only once the GM office has approved it (on the group
    president's behalf); the approved row in force is the latest approved `effective_from` not after the day.
    The proposal and decision machinery is `accounts.unit_policy`."""

    OVERRIDES = ("review_waiver_below", "margin_review_percent", "prepayment_threshold", "default_discount_percent")

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="sales_policies"
    )
    review_waiver_below = models.DecimalField(
        _("no contract review (契約評審) below amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: every contract is reviewed by the department."),
        validators=[MinValueValidator(0)],
    )
    margin_review_percent = models.DecimalField(
        _("GM office reviews margins below (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    prepayment_threshold = models.DecimalField(
        _("prepayment required from amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    default_discount_percent = models.DecimalField(
        _("default discount authority (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta(UnitPolicy.Meta):
        verbose_name = _("unit sales policy")
        verbose_name_plural = _("unit sales policies")
        constraints = [approval_constraint("unit_sales_policy_approved_has_approver")]

    def __str__(self) -> str:
        return f"{self.unit_id} {_('Sales policy')} {self.effective_from}"


class UnitAuthorityCeiling(TimeStampedModel):
    """The highest discount authority (%) a unit's manager may give their own salespeople, set by an admin, from
    a date. Append-only: the row in force is the latest `effective_from` not after the day."""

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="authority_ceilings"
    )
    max_discount_percent = models.DecimalField(_("discount authority ceiling (%)"), max_digits=5, decimal_places=2)
    effective_from = models.DateField(_("effective from"), db_index=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("discount authority ceiling")
        verbose_name_plural = _("discount authority ceilings")
        ordering = ["unit", "-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_discount_percent__gte=0) & models.Q(max_discount_percent__lte=100),
                name="unit_authority_ceiling_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.max_discount_percent}% from {self.effective_from}"


# --- Quotes ------------------------------------------------------------------------------------------------


class QuoteKind(models.TextChoices):
    PRODUCT = "product", _("Product sale")
    ENGINEERING = "engineering", _("Engineering turnkey project")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("Awaiting manager approval")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent to customer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Quote(TimeStampedModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=QuoteKind.choices, default=QuoteKind.PRODUCT)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="quotes"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("salesperson"), on_delete=models.PROTECT, related_name="quotes"
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="quotes"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT, db_index=True
    )
    title = models.CharField(pgettext_lazy("contract", "title"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    expected_close = models.DateField(
        _("expected close month"),
        null=True,
        blank=True,
        help_text=_("The first day of the month the deal should close."),
    )
    settlement_method = models.ForeignKey(
        SettlementMethod,
        verbose_name=_("settlement method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
    )
    sales_method = models.ForeignKey(
        SalesMethod,
        verbose_name=_("sales method"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    cost_total = models.DecimalField(_("internal cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    note = models.TextField(_("note"), blank=True)
    # Engineering turnkey quote: cost-plus on the equipment-and-material cost C, rates copied from the policy.
    equipment_cost = models.DecimalField(
        _("equipment and material cost"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    design_rate = models.DecimalField(_("design (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    commissioning_rate = models.DecimalField(
        _("commissioning (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    contingency_rate = models.DecimalField(_("contingency (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    management_rate = models.DecimalField(_("management (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    profit_tax_rate = models.DecimalField(_("profit and tax (%)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    # 內部報價: the cost-plus price of an engineering quote (C plus its components). Internal: only cost viewers see
    # it; the customer's price is the quote's line, set by the unit, and this is that line's standard price.
    internal_price = models.DecimalField(
        _("internal price"), max_digits=14, decimal_places=2, default=Decimal("0"), help_text=_("Confidential.")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_reasons = models.JSONField(_("approval reasons"), default=list, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at", "id"], name="quote_created_idx"),
            models.Index(fields=["number"], opclasses=["varchar_pattern_ops"], name="quote_number_prefix_idx"),
            models.Index(fields=["owner", "created_at", "id"], name="quote_owner_created_idx"),
            models.Index(fields=["amount", "id"], name="quote_amount_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) & models.Q(equipment_cost__gte=0), name="quote_amount_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, verbose_name=_("quote"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    standard_price = models.DecimalField(_("standard price"), max_digits=14, decimal_places=2)
    unit_cost = models.DecimalField(_("internal unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = QuoteChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0) & models.Q(discount_percent__lte=100),
                name="quote_line_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}: {self.product_id} x {self.quantity}"

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price


# --- Approvals ledger and audit history --------------------------------------------------------------------


class ApproverRole(models.TextChoices):
    MANAGER = "manager", _("Department manager")
    GM_OFFICE = "gm_office", _("General manager's office")


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("approval", "Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ContractApproval(TimeStampedModel):
    """One approval a contract needs in one review round, and its decision. A new round opens on resubmission."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="approvals"
    )
    round = models.PositiveIntegerField(_("review round"))
    approver_role = models.CharField(_("approver"), max_length=16, choices=ApproverRole.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    decision = models.CharField(
        _("decision"), max_length=16, choices=ApprovalDecision.choices, default=ApprovalDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract approval")
        verbose_name_plural = _("contract approvals")
        ordering = ["round", "approver_role"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "round", "approver_role"], name="contract_approval_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.round} {self.approver_role}: {self.decision}"


class ContractEvent(models.Model):
    """Audit history of a contract: every transition, who, when, from which status to which, and why."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(pgettext_lazy("status change", "from"), max_length=16, blank=True)
    to_status = models.CharField(pgettext_lazy("status change", "to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    objects = ContractChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.action}"


# --- Written price inquiries (書面詢價) -----------------------------------------------------------------------------


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the producing unit")
    ANSWERED = "answered", _("Answered")
    CANCELLED = "cancelled", _("Cancelled")


def inquiry_upload_to(instance: PriceInquiry, filename: str) -> str:
    return f"price_inquiries/{instance.requesting_unit_id}/{filename}"


class PriceInquiry(TimeStampedModel):
    """A buying (sales) unit's written, stamped price inquiry to the producing unit for a product whose raw-material
    prices move. The producing unit's manager answers with a price (and the internal cost) valid until a day;
    quotes of the requesting unit price the product from the latest answer in force."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="inquiries")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, null=True, blank=True)
    requesting_unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("requesting unit"), on_delete=models.PROTECT, related_name="+"
    )
    producing_unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("producing unit"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    stamped_copy = models.FileField(
        _("stamped inquiry"), upload_to=inquiry_upload_to, blank=True, help_text=_("PDF or image of the stamped form.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=InquiryStatus.choices, default=InquiryStatus.OPEN, db_index=True
    )
    price = models.DecimalField(_("answered price"), max_digits=14, decimal_places=2, null=True, blank=True)
    cost = models.DecimalField(
        _("internal cost"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("Confidential.")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_note = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("price inquiry")
        verbose_name_plural = _("price inquiries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "requesting_unit", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | (models.Q(price__isnull=False) & models.Q(valid_until__isnull=False)),
                name="price_inquiry_answer_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0), name="price_inquiry_price_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number
