"""Consent writes: a customer's agreement to receive messages, given or withdrawn, through staff, the opt-out
link or a STOP / 退訂 reply. Each change is appended to ConsentEvent; withdrawal takes effect at once (the sender
re-reads the preference before each message)."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import CharField, F, Func, Q, Value
from django.utils import timezone

from accounts.models import User

from .mitake import STATUS_TEXT, national_number, outcome
from .models import (
    ConsentEvent,
    ConsentSource,
    CustomerMessagingPreference,
    Delivery,
    DeliveryStatus,
    ProviderStatus,
    Reminder,
)

STOP_WORDS = {"stop", "unsubscribe", "退訂", "取消", "td", "停止", "t"}


def is_stop_reply(text: str) -> bool:
    """A reply that asks to stop: one of the stop words, alone (spaces and punctuation ignored, any case)."""
    word = re.sub(r"[\s\.,!?。，！？]+", "", text or "").lower()
    return word in STOP_WORDS


@transaction.atomic
def consent_withdraw(*, customer_id: int, source: str, detail: str = "", by: User | None = None) -> bool:
    """Stop every message to the customer now: the preference is switched off and pending customer reminders are
    cancelled. Returns False when there was nothing to withdraw (the event is still recorded once)."""
    pref = CustomerMessagingPreference.objects.select_for_update().filter(customer_id=customer_id).first()
    changed = bool(pref and pref.opted_in)
    if pref is not None and pref.opted_in:
        pref.opted_in = False
        pref.consent_source = source
        pref.save(update_fields=["opted_in", "consent_source", "updated_at"])
    Reminder.objects.filter(customer_id=customer_id, audience="customer", status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.CANCELLED, last_error="customer opted out", updated_at=timezone.now()
    )
    if changed or not ConsentEvent.objects.filter(customer_id=customer_id, given=False, source=source).exists():
        ConsentEvent.objects.create(customer_id=customer_id, given=False, source=source, detail=detail[:200], by=by)
    return changed


def consent_record(*, customer_id: int, given: bool, source: str = ConsentSource.STAFF, by: User | None = None) -> None:
    ConsentEvent.objects.create(customer_id=customer_id, given=given, source=source, by=by)


def opt_out_by_reply(*, sender: str, text: str) -> list[int]:
    """A STOP / 退訂 reply from a phone: every customer messaged at that number is unsubscribed. Returns their ids."""
    if not is_stop_reply(text):
        return []
    key = national_number(sender)
    if len(key) < 8:
        return []
    ids: list[int] = []
    tail = key[-8:]
    digits = Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="REGEXP_REPLACE", output_field=CharField())
    prefs = (
        CustomerMessagingPreference.objects.filter(opted_in=True)
        .annotate(pref_digits=digits)
        .filter(Q(pref_digits__endswith=tail) | Q(phone="", customer__phone_digits__endswith=tail))
        .select_related("customer")
    )
    for pref in prefs:
        if national_number(pref.phone or str(pref.customer.phone)) == key and pref.customer_id not in ids:
            consent_withdraw(customer_id=pref.customer_id, source=ConsentSource.REPLY, detail=f"{sender}: {text}")
            ids.append(pref.customer_id)
    return ids


def delivery_report(*, message_id: str, code: str) -> int:
    """A provider's delivery report for one of our messages (Mitake's status codes). A final status is never
    overwritten by a late intermediate one. Returns the number of Delivery rows updated (0: not ours)."""
    if not message_id:
        return 0
    status = outcome(code)
    rows = Delivery.objects.filter(provider_message_id=message_id)
    if status != ProviderStatus.DELIVERED:
        rows = rows.exclude(provider_status=ProviderStatus.DELIVERED)
    return rows.update(
        provider_status=status, provider_detail=STATUS_TEXT.get(code, code)[:200], status_at=timezone.now()
    )
