from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from core.models import EffectiveDatedPolicy, TimeStampedModel

from .querysets import ContactLogQuerySet, CustomerConflictQuerySet, CustomerQuerySet


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", pgettext_lazy("customer status", "Active")
    LAPSED = "lapsed", _("Lapsed")  # the predicted reorder was missed (kept by care.services.lifecycle_refresh)
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class CustomerTier(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary customer")
    MEMBER = "member", _("Member customer")


class CreditRating(models.TextChoices):
    A = "A", _("A - excellent")
    B = "B", _("B - good")
    C = "C", _("C - watch")
    D = "D", _("D - cash only")


class Customer(TimeStampedModel):
    """Customer profile card (客戶檔案表)."""

    name = models.CharField(_("legal name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tax_id = models.CharField(_("tax / registration number"), max_length=32, blank=True, db_index=True)
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    region = models.CharField(_("sales region"), max_length=60, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT, db_index=True
    )
    tier = models.CharField(_("tier"), max_length=16, choices=CustomerTier.choices, default=CustomerTier.ORDINARY)
    member_level = models.ForeignKey(
        "customers.MemberLevel",
        verbose_name=_("member level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
    )
    member_since = models.DateField(_("member since"), null=True, blank=True)
    member_renews_on = models.DateField(
        _("membership renewal date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The membership lapses after this day unless it is renewed; empty: it does not expire."),
    )
    member_benefits = models.TextField(_("member benefits"), blank=True)
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
    notes = models.TextField(_("notes"), blank=True)
    # Ownership bookkeeping for the pool (公海): when the current owner took the customer, and when the
    # release warning was given (cleared by the next contact log).
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    release_warned_at = models.DateTimeField(_("release warning given at"), null=True, blank=True)
    # Latest contact log of the customer, kept by a PostgreSQL trigger on the contact log table (so any writer,
    # in any app, keeps it right); the list sorts and shows it without a subquery per row.
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, editable=False)
    # Folded search text (name + short name) and national phone digits, kept by the services.
    search_text = models.CharField(max_length=300, blank=True, editable=False)
    phone_digits = models.CharField(max_length=32, blank=True, editable=False)
    # Pairs of neighbouring syllables of the Chinese name, toneless and 注音-slip-folded
    # (customers.identity.phonetic_tokens): 大童 finds 大同.
    search_phonetic = ArrayField(models.CharField(max_length=16), default=list, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "search_phonetic",
            "phone_digits",
            "updated_at",
            "created_at",
            "release_warned_at",
            "last_contact_at",
        ],
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["unit", "status"]),
            # The search indexes without a pending list (fastupdate off): a bulk import would otherwise leave tens of
            # thousands of entries every search scans linearly until the next VACUUM (48 ms → 2 ms at 100,000).
            GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="customer_search_trgm", fastupdate=False),
            GinIndex(OpClass("phone_digits", name="gin_trgm_ops"), name="customer_phone_trgm", fastupdate=False),
            GinIndex(fields=["search_phonetic"], name="customer_phonetic_gin", fastupdate=False),
            # One index per offered sort order, each ended by the id the lists break ties with (keyset pages).
            models.Index(fields=["registered_at", "id"], name="customer_registered_idx"),
            models.Index(fields=["updated_at"], name="customer_updated_idx"),  # the summaries' incremental refresh
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["owner", "name", "id"], name="customer_owner_name_idx"),
            # The page: never-contacted first when ascending, last when descending; the API: PostgreSQL's NULL order.
            models.Index(models.F("last_contact_at").asc(nulls_first=True), "id", name="customer_last_contact_idx"),
            models.Index(fields=["last_contact_at", "id"], name="customer_last_contact_api_idx"),
            models.Index(fields=["credit_limit", "id"], name="customer_credit_limit_idx"),
            models.Index(fields=["region", "id"], name="customer_region_id_idx"),
            models.Index(fields=["status", "id"], name="customer_status_id_idx"),
            models.Index(fields=["owner"], condition=models.Q(owner__isnull=True), name="customer_pool_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"),
            models.CheckConstraint(
                condition=models.Q(tier="member") | models.Q(member_level__isnull=True),
                name="customer_member_level_only_for_members",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def display_number(self) -> str:
        """The customer's reference on pickers and lists, "C2026-00012": the year registered and the record id."""
        if self.pk is None:
            return ""
        return f"C{timezone.localtime(self.registered_at).year}-{self.pk:05d}"

    @property
    def picker_label(self) -> str:
        """How a picker names the customer: "C2026-00012 大同紡織"."""
        return f"{self.display_number} {self.name}"

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None


class IdentityKind(models.TextChoices):
    TAX = "tax", _("tax number")
    NAME = "name", _("name")
    PHONE = "phone", _("phone")


class CustomerIdentity(models.Model):
    """One registration key (備案) of a customer. The unique constraint makes the first registration win."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=8, choices=IdentityKind.choices)
    key = models.CharField(_("key"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("registration key")
        verbose_name_plural = _("registration keys")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="customer_identity_unique")]
        indexes = [models.Index(fields=["customer", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class IdentityCollision(models.Model):
    """Two customers whose registration keys became one when the folding of keys improved (homoglyphs: a name
    typed with Cyrillic о е а). Found when the keys are recomputed (migration 0009); the customer keeps its old
    key instead of failing the migration, and the GM office sees the pair on the conflicts page to decide."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="identity_collisions"
    )
    holder = models.ForeignKey(
        Customer, verbose_name=_("registered first as"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=IdentityKind.choices)
    key = models.CharField(_("key"), max_length=255)
    found_at = models.DateTimeField(_("found at"), default=timezone.now)

    class Meta:
        verbose_name = _("look-alike registration")
        verbose_name_plural = _("look-alike registrations")
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "holder", "kind"], name="identity_collision_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} ~ {self.holder_id} ({self.kind})"


class Contact(TimeStampedModel):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(pgettext_lazy("job title", "title"), max_length=100, blank=True)
    phone = PhoneNumberField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "-is_primary", "name"]
        indexes = [
            # The navbar search: a contact by (part of) the name or the phone digits.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="contact_name_trgm", fastupdate=False),
            GinIndex(OpClass("phone", name="gin_trgm_ops"), name="contact_phone_trgm", fastupdate=False),
        ]

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")


class SignalTag(models.TextChoices):
    ASKED_PRICE = "asked_price", _("Asked for prices")
    ASKED_DELIVERY = "asked_delivery", _("Asked about delivery")
    REQUESTED_QUOTE = "requested_quote", _("Requested a quote")
    REQUESTED_SAMPLE = "requested_sample", _("Requested a sample")
    BUDGET_CONFIRMED = "budget_confirmed", _("Budget confirmed")
    MET_DECISION_MAKER = "met_decision_maker", _("Met the decision maker")
    REORDER = "reorder", _("Running low / reorder")


class ObjectionTag(models.TextChoices):
    PRICE = "price", _("Price too high")
    DELIVERY = "delivery", _("Delivery time")
    QUALITY = "quality", _("Quality concerns")
    COMPETITOR = "competitor", _("Prefers a competitor")
    NO_BUDGET = "no_budget", _("No budget")
    NO_NEED = "no_need", _("No need now")
    PAYMENT_TERMS = "payment_terms", _("Payment terms")


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
    signal_tags = ArrayField(
        models.CharField(max_length=32, choices=SignalTag.choices),
        verbose_name=_("signal tags"),
        default=list,
        blank=True,
    )
    objections = models.TextField(_("objections"), blank=True)
    objection_tags = ArrayField(
        models.CharField(max_length=32, choices=ObjectionTag.choices),
        verbose_name=_("objection tags"),
        default=list,
        blank=True,
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_date = models.DateField(_("next step date"), null=True, blank=True, db_index=True)

    objects = ContactLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact log")
        verbose_name_plural = _("contact logs")
        ordering = ["-happened_at"]
        indexes = [
            models.Index(fields=["author", "happened_at"]),
            models.Index(fields=["customer", "-happened_at"], name="contactlog_customer_recent"),
            models.Index(fields=["happened_at", "id"], name="contactlog_happened_idx"),
            models.Index(fields=["next_step_date", "id"], name="contactlog_next_step_idx"),
            models.Index(fields=["updated_at"], name="contactlog_updated_idx"),  # the summaries' incremental refresh
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.get_kind_display()} {self.happened_at:%Y-%m-%d}"

    def get_signal_tags_display(self) -> list[str]:
        labels = dict(SignalTag.choices)
        return [str(labels.get(t, t)) for t in self.signal_tags]

    def get_objection_tags_display(self) -> list[str]:
        labels = dict(ObjectionTag.choices)
        return [str(labels.get(t, t)) for t in self.objection_tags]


class OwnershipEventKind(models.TextChoices):
    REGISTER = "register", _("Registered")
    CLAIM = "claim", _("Claimed from the pool")
    WARN = "warn", _("Release warning")
    RELEASE = "release", _("Released to the pool")
    REASSIGN = "reassign", _("Reassigned")
    CONFIRM = "confirm", _("Ownership confirmed")


class AppendOnlyModel(models.Model):
    """Rows are written once; corrections are new rows."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} rows are append-only.")


class OwnershipEvent(AppendOnlyModel):
    """Append-only log of every registration, claim, warning, release and reassignment."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ownership_events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=OwnershipEventKind.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("owner change", "from"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("owner change", "to"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    from_unit = models.ForeignKey("accounts.SalesUnit", on_delete=models.PROTECT, null=True, related_name="+")
    to_unit = models.ForeignKey("accounts.SalesUnit", on_delete=models.PROTECT, null=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    conflict = models.ForeignKey("CustomerConflict", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    # On a release: the pool clock of the ownership that ended, so the same owner claiming the customer back
    # resumes it instead of starting afresh (releasing and reclaiming must not reset the clock).
    owned_since = models.DateTimeField(_("owned since"), null=True, blank=True)
    release_warned_at = models.DateTimeField(_("release warning given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ownership event")
        verbose_name_plural = _("ownership events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.created_at:%Y-%m-%d}"


class ConflictStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("ownership conflict", "Open")
    CONFIRMED = "confirmed", _("First owner confirmed")
    REASSIGNED = "reassigned", _("Reassigned to claimant")


class CustomerConflict(models.Model):
    """A refused claim on an already registered customer (碰車), for the GM office to decide."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="conflicts"
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimant"), on_delete=models.PROTECT, related_name="+"
    )
    claimant_unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("claimant unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    owner_at_claim = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    owner_unit_at_claim = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("owner unit"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    matched_on = models.CharField(_("matched on"), max_length=8, choices=IdentityKind.choices)
    claimed_name = models.CharField(_("claimed name"), max_length=200)
    claimed_tax_id = models.CharField(_("claimed tax number"), max_length=32, blank=True)
    claimed_phone = models.CharField(_("claimed phone"), max_length=32, blank=True)
    source = models.CharField(_("source"), max_length=16, default="register")
    status = models.CharField(
        _("status"), max_length=12, choices=ConflictStatus.choices, default=ConflictStatus.OPEN, db_index=True
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
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now, db_index=True)

    objects = CustomerConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("ownership conflict")
        verbose_name_plural = _("ownership conflicts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open")
                | (models.Q(decided_by__isnull=False) & models.Q(decided_at__isnull=False)),
                name="customer_conflict_decided_has_decider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimed_name} ({self.get_status_display()})"


class PoolPolicy(EffectiveDatedPolicy):
    """When idle customers go back to the pool (公海). The row in force is the latest effective_from ≤ today."""

    idle_days = models.PositiveIntegerField(
        _("days without contact before release"), default=90, validators=[MinValueValidator(1)]
    )
    warning_days = models.PositiveIntegerField(
        _("days of warning before release"), default=7, validators=[MinValueValidator(0)]
    )

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("customer pool policy")
        verbose_name_plural = _("customer pool policies")
        constraints = [
            models.CheckConstraint(condition=models.Q(idle_days__gte=1), name="pool_policy_idle_days_positive"),
            models.CheckConstraint(
                condition=models.Q(warning_days__lt=models.F("idle_days")), name="pool_policy_warning_shorter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.idle_days}/{self.warning_days}"


class FilingPolicy(EffectiveDatedPolicy):
    """The monthly customer-card filing deadline: each month's cards are filed with the administration department
    by this day of the following month (次月10日前), the day itself still on time."""

    filing_day = models.PositiveSmallIntegerField(
        _("customer-card filing: last on-time day of the following month"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )

    class Meta(EffectiveDatedPolicy.Meta):
        verbose_name = _("customer-card filing policy")
        verbose_name_plural = _("customer-card filing policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(filing_day__gte=1) & models.Q(filing_day__lte=28), name="filing_policy_day_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.filing_day}"


class CustomerStrategy(TimeStampedModel):
    """Customer strategy card (客戶策略卡): the owner's plan for the customer."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="strategy"
    )
    objectives = models.TextField(_("objectives"), blank=True)
    decision_makers = models.TextField(_("decision makers and influencers"), blank=True)
    needs = models.TextField(_("needs and pain points"), blank=True)
    competitors = models.TextField(_("competitors at this customer"), blank=True)
    approach = models.TextField(_("approach"), blank=True)
    action_plan = models.TextField(_("action plan"), blank=True)
    potential_amount = models.DecimalField(
        _("annual potential"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    review_on = models.DateField(_("review on"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])

    class Meta:
        verbose_name = _("customer strategy card")
        verbose_name_plural = _("customer strategy cards")

    def __str__(self) -> str:
        return f"{self.customer}"


SCORE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class MonthlyEvaluation(TimeStampedModel):
    """Monthly evaluation card (客戶月評卡): a 1–5 score on four dimensions of the relationship."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="evaluations"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    enthusiasm = models.PositiveSmallIntegerField(_("enthusiasm"), validators=SCORE_VALIDATORS)
    credit = models.PositiveSmallIntegerField(_("credit"), validators=SCORE_VALIDATORS)
    capability = models.PositiveSmallIntegerField(_("capability"), validators=SCORE_VALIDATORS)
    price_discipline = models.PositiveSmallIntegerField(_("price discipline"), validators=SCORE_VALIDATORS)
    comment = models.TextField(_("comment"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("monthly evaluation card")
        verbose_name_plural = _("monthly evaluation cards")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="evaluation_one_per_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="evaluation_month_first_day"),
            *[
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 5}), name=f"evaluation_{f}_1_to_5"
                )
                for f in ("enthusiasm", "credit", "capability", "price_discipline")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.month:%Y-%m}"

    @property
    def total(self) -> int:
        return self.enthusiasm + self.credit + self.capability + self.price_discipline


class MonthlyFiling(models.Model):
    """A unit's customer cards for a month, filed with the admin department (due before the 10th of next month)."""

    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.PROTECT, related_name="customer_filings"
    )
    month = models.DateField(_("month"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)
    customers_count = models.PositiveIntegerField(_("customers"), default=0)
    new_count = models.PositiveIntegerField(_("new registrations"), default=0)
    contacts_count = models.PositiveIntegerField(_("contacts logged"), default=0)
    evaluations_count = models.PositiveIntegerField(_("evaluation cards"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("monthly customer filing")
        verbose_name_plural = _("monthly customer filings")
        ordering = ["-month", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="filing_one_per_unit_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="filing_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class ImportBatch(models.Model):
    """An uploaded customer file and its import job: parsed rows, the dry-run report, then the apply step's status,
    progress and final report. Applying runs as a Celery task; this row is what survives and what the page polls."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Applied")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    rows = models.JSONField(default=list)
    report = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PREVIEWED)
    applied_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveIntegerField(default=0, help_text=_("Rows processed so far by the apply step."))
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        return round(100 * self.progress / len(self.rows)) if self.rows else 100


def _no_days() -> list[int]:
    return []


class MemberLevel(TimeStampedModel):
    """A member level (會員等級) and the benefits the admin gives it. A member customer points at its level
    (`Customer.member_level`), so renaming a level keeps its customers."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    discount_percent = models.DecimalField(
        _("price-list discount (percent)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Shown to the salesperson as the member price on quote entry; the price floor still applies."),
    )
    free_service_visits = models.PositiveSmallIntegerField(_("free service visits per year"), default=0)
    checkup_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("check-ups (days after delivery)"),
        default=_no_days,
        blank=True,
        help_text=_("Empty: the care policy's member cadence."),
    )
    reorder_lead_days = models.PositiveSmallIntegerField(
        _("reorder reminder lead days"), null=True, blank=True, help_text=_("Empty: the reminder settings' lead days.")
    )
    case_due_percent = models.PositiveSmallIntegerField(
        _("case due time (percent of the severity's hours)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Priority in cases: 50 means the member's cases are due in half the time."),
    )

    class Meta:
        verbose_name = _("member level")
        verbose_name_plural = _("member levels")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case_due_percent__gte=1, case_due_percent__lte=100), name="member_level_due_range"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="member_level_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name
