"""Reminders: one PostgreSQL row per reminder with a unique dedup key, delivered exactly once.

A periodic scan inserts rows (INSERT ... ON CONFLICT DO NOTHING on dedup_key); a sender claims due rows with
SELECT ... FOR UPDATE SKIP LOCKED, delivers them and marks them sent in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

from .querysets import NotificationQuerySet, PreferenceQuerySet, ReminderQuerySet


class ReminderKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("After-sale follow-up")
    NEXT_STEP = "next_step", _("Next step due")
    REORDER = "reorder", _("Reorder")
    DAILY_REPORT = "daily_report", _("Missing daily report")
    CONTRACT_FILING = "contract_filing", _("Contract not filed")
    RECEIVABLE_OVERDUE = "receivable_overdue", _("Receivable overdue")
    CARD_FILING = "card_filing", _("Monthly customer-card filing")
    POOL_RELEASE = "pool_release", _("Pool release warning")
    INTEREST_WARNING = "interest_warning", _("Overdue interest starts soon")
    PROMISE_MISSED = "promise_missed", _("Promise to pay missed")
    MEMBERSHIP_RENEWAL = "membership_renewal", _("Membership renewal")


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ReminderState(models.TextChoices):
    OPEN = "open", _("Due")
    SNOOZED = "snoozed", _("Snoozed")
    DONE = "done", _("Done")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class ReminderSettings(models.Model):
    """Lead times and delivery rules; a single row (pk=1) edited by admins."""

    next_step_lead_days = models.PositiveSmallIntegerField(
        _("next step: days before"), default=1, help_text=_("Remind this many days before a next step is due.")
    )
    reorder_lead_days = models.PositiveSmallIntegerField(
        _("reorder: days before run-out"), default=7, help_text=_("Remind this many days before the predicted run-out.")
    )
    reorder_notify_customer = models.BooleanField(_("reorder: message opted-in customers"), default=True)
    # No longer read: the filing deadline is the sales app's Contract.filing_due_on (kept so old rows load).
    contract_filing_days = models.PositiveSmallIntegerField(_("contract filing: days after signing"), default=3)
    # No longer read: overdue is the receivables module's (receivables.rules; the day after a shipment's due date).
    receivable_terms_days = models.PositiveSmallIntegerField(
        _("receivable: payment terms (days after delivery)"), default=30
    )
    # No longer read: the deadline is the customers app's (customers.selectors.filing_due_date).
    card_filing_day = models.PositiveSmallIntegerField(_("customer-card filing: due day of month"), default=10)
    card_filing_lead_days = models.PositiveSmallIntegerField(_("customer-card filing: days before"), default=3)
    membership_renewal_lead_days = models.PositiveSmallIntegerField(
        _("membership renewal: days before"),
        default=30,
        help_text=_("Remind the owner this many days before a member customer's renewal date."),
    )
    daily_report_hour = models.PositiveSmallIntegerField(_("daily report: end of working day (hour)"), default=18)
    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(8, 0))
    catch_up_days = models.PositiveSmallIntegerField(
        _("catch-up window (days)"),
        default=14,
        help_text=_("Reminders that fell due longer ago than this are not created any more."),
    )
    max_attempts = models.PositiveSmallIntegerField(_("delivery attempts before failing"), default=5)
    retry_base_seconds = models.PositiveIntegerField(_("first retry after (seconds)"), default=60)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="reminder_settings_single_row"),
            models.CheckConstraint(
                condition=models.Q(card_filing_day__gte=1, card_filing_day__lte=28), name="reminder_card_day_range"
            ),
            models.CheckConstraint(condition=models.Q(daily_report_hour__lte=23), name="reminder_report_hour_range"),
            models.CheckConstraint(condition=models.Q(max_attempts__gte=1), name="reminder_max_attempts_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Reminder settings"))

    @classmethod
    def load(cls) -> ReminderSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class FollowUpRule(TimeStampedModel):
    """After-sale follow-up: remind the salesperson N days after delivery of a product category."""

    category = models.CharField(
        _("product category"), max_length=60, unique=True, help_text=_("Empty = every other category.")
    )
    days_after_delivery = models.PositiveSmallIntegerField(_("days after delivery"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("follow-up rule")
        verbose_name_plural = _("follow-up rules")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(condition=models.Q(days_after_delivery__gte=1), name="followup_days_positive")
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'}: {self.days_after_delivery}"


class CustomerMessagingPreference(TimeStampedModel):
    """What a customer agreed to receive from us, in which language and on which channel."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="messaging_preference",
    )
    opted_in = models.BooleanField(_("agreed to receive reminders"), default=False)
    opted_in_at = models.DateTimeField(_("agreed on"), null=True, blank=True)
    consent_source = models.CharField(_("consent given through"), max_length=10, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(Channel.SMS, _("SMS")), (Channel.EMAIL, _("E-mail"))],
        default=Channel.SMS,
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hant")
    phone = models.CharField(_("phone for messages"), max_length=32, blank=True, help_text=_("Empty = customer phone"))
    email = models.EmailField(_("e-mail for messages"), blank=True, help_text=_("Empty = customer e-mail"))

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer messaging preference")
        verbose_name_plural = _("customer messaging preferences")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.channel} {'on' if self.opted_in else 'off'}"


class Reminder(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=24, choices=ReminderKind.choices, db_index=True)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.STAFF)
    # kind:subject:period[:audience] — the same reminder is never created twice.
    dedup_key = models.CharField(_("dedup key"), max_length=200, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.CASCADE,
        related_name="reminders",
        help_text=_("The staff member reminded, or the salesperson of the customer messaged."),
    )
    unit = models.ForeignKey(
        "accounts.SalesUnit", verbose_name=_("sales unit"), on_delete=models.SET_NULL, null=True, blank=True
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    due_on = models.DateField(_("due on"), db_index=True)
    params = models.JSONField(_("details"), default=dict, blank=True)

    # delivery
    status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    send_after = models.DateTimeField(_("send after"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    channels_done = models.JSONField(_("channels delivered"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # 0 for the first delivery; +1 each time a snoozed reminder wakes up and is delivered again
    round = models.PositiveSmallIntegerField(_("round"), default=0)

    # what the person did with it
    state = models.CharField(_("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.OPEN)
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_on", "-id"]
        indexes = [
            # the sender's claim query: pending rows whose time has come
            models.Index(
                fields=["send_after", "id"], name="reminder_pending_idx", condition=models.Q(status="pending")
            ),
            models.Index(fields=["owner", "audience", "state"]),
            models.Index(fields=["customer", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="snoozed") | models.Q(snoozed_until__isnull=False),
                name="reminder_snoozed_has_until",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="reminder_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.dedup_key


class Notification(models.Model):
    """In-app notification (the bell). At most one per reminder: written in the sender's transaction."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    reminder = models.ForeignKey(
        Reminder,
        verbose_name=_("reminder"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    activity = models.ForeignKey(
        "core.Activity",
        verbose_name=_("handoff"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["reminder", "round"], name="notification_once_per_round"),
            models.UniqueConstraint(fields=["activity", "user"], name="notification_once_per_handoff"),
        ]

    def __str__(self) -> str:
        return self.title


class ProviderStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted by the provider")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Not delivered")


class Delivery(models.Model):
    """One message handed to an outside channel (e-mail, SMS), recorded in the sender's transaction; an SMS
    provider's message id and its delivery report (when the provider sends one) are kept on it."""

    reminder = models.ForeignKey(
        Reminder, verbose_name=_("reminder"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("to"), max_length=254)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=64, blank=True)
    provider_status = models.CharField(
        _("delivery status"), max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.ACCEPTED
    )
    provider_detail = models.CharField(_("provider's words"), max_length=200, blank=True)
    status_at = models.DateTimeField(_("status received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["reminder", "channel", "round"], name="delivery_once_per_channel")
        ]
        indexes = [
            models.Index(
                fields=["provider_message_id"],
                name="delivery_provider_msgid",
                condition=~models.Q(provider_message_id=""),
            )
        ]

    def __str__(self) -> str:
        return f"{self.reminder_id} {self.channel} {self.to}"


class NotificationPreference(models.Model):
    """A user's choice about e-mail: the daily digest of the day's unread notifications (on unless switched off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_pref"
    )
    daily_digest = models.BooleanField(_("daily e-mail digest"), default=True)
    # Kinds of handoff (`reminders.handoffs.DIGEST_KINDS`) left out of the e-mail; they stay in the app's bell.
    digest_muted = ArrayField(
        models.CharField(max_length=20), verbose_name=_("kinds left out of the e-mail"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.daily_digest}"


class DigestSent(models.Model):
    """One row per user and local day once that day's digest went out: a re-run sends nothing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("notifications"), default=0)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class ConsentSource(models.TextChoices):
    STAFF = "staff", _("Recorded by staff")
    LINK = "link", _("Opt-out link")
    REPLY = "reply", _("Reply to a message")
    IMPORT = "import", _("Import")


class ConsentEvent(models.Model):
    """Append-only record of each consent given or withdrawn: who, through what, when (the proof a regulator asks
    for); the preference row holds only the present answer."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consent_events"
    )
    given = models.BooleanField(_("consent given"))
    source = models.CharField(_("through"), max_length=10, choices=ConsentSource.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at"], name="consent_customer_at")]

    def __str__(self) -> str:
        return f"{self.customer_id} {'+' if self.given else '-'} {self.source}"


class MessageTemplate(models.Model):
    """The admin's words for a message to customers, per kind and language. Placeholders in braces, e.g.
    {company}, {salesperson}, {salesperson_phone}, {opt_out}; see reminders.customer_messages.PLACEHOLDERS."""

    kind = models.CharField(
        _("kind"),
        max_length=24,
        choices=[(ReminderKind.REORDER, ReminderKind.REORDER.label), (ReminderKind.FOLLOW_UP, _("After-sale check"))],
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(_("text"), max_length=600)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="message_template_once")]

    def __str__(self) -> str:
        return f"{self.kind} ({self.language})"
