"""Settings writes: the admins' reminder settings and what a customer agreed to receive."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDenied
from customers.models import Customer

from .customer_messages import template_errors
from .models import Channel, ConsentEvent, ConsentSource, CustomerMessagingPreference, MessageTemplate, ReminderSettings


@transaction.atomic
def reminder_settings_update(*, actor: User, **fields) -> ReminderSettings:
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only admins change reminder settings."))
    cfg = ReminderSettings.objects.select_for_update().filter(pk=1).first() or ReminderSettings.load()
    for name, value in fields.items():
        if not hasattr(cfg, name) or name == "id":
            raise ApplicationError(_("Unknown setting %(name)s.") % {"name": name}, field=name)
        setattr(cfg, name, value)
    cfg.full_clean()
    cfg.save()
    return cfg


@transaction.atomic
def messaging_preference_set(
    *,
    customer: Customer,
    actor: User,
    opted_in: bool,
    channel: str = Channel.SMS,
    language: str = "zh-hant",
    phone: str = "",
    email: str = "",
) -> CustomerMessagingPreference:
    """Record what the customer agreed to receive. The actor must see the customer."""
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("You cannot change this customer."))
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise ApplicationError(_("Choose SMS or e-mail."), field="channel")
    if opted_in and channel == Channel.SMS and not (phone or customer.phone):
        raise ApplicationError(_("The customer has no phone number for SMS."), field="phone", code="no_phone")
    if opted_in and channel == Channel.EMAIL and not (email or customer.email):
        raise ApplicationError(_("The customer has no e-mail address."), field="email", code="no_email")
    pref, _created = CustomerMessagingPreference.objects.select_for_update().get_or_create(customer=customer)
    if opted_in != pref.opted_in:
        ConsentEvent.objects.create(customer=customer, given=opted_in, source=ConsentSource.STAFF, by=actor)
        pref.consent_source = ConsentSource.STAFF
    if opted_in and not pref.opted_in:
        pref.opted_in_at = timezone.now()
    pref.opted_in = opted_in
    pref.channel = channel
    pref.language = language
    pref.phone = phone
    pref.email = email
    pref.full_clean()
    pref.save()
    return pref


@transaction.atomic
def message_template_save(*, actor: User, kind: str, language: str, body: str) -> MessageTemplate:
    """The admin's words for a customer message; an empty text goes back to the built-in words."""
    if not actor.is_admin_role:
        raise PermissionDenied(_("Only admins change the messages sent to customers."))
    body = (body or "").strip()
    if not body:
        MessageTemplate.objects.filter(kind=kind, language=language).delete()
        return MessageTemplate(kind=kind, language=language, body="")
    errors = template_errors(body)
    if errors:
        raise ApplicationError(" ".join(errors), field="body", code="bad_placeholder")
    template, _created = MessageTemplate.objects.update_or_create(
        kind=kind, language=language, defaults={"body": body, "updated_by": actor}
    )
    template.full_clean()
    return template
