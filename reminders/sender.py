"""The sender: delivers due reminders exactly once.

It claims one due row at a time with SELECT ... FOR UPDATE SKIP LOCKED, delivers it and marks it sent in the same
transaction: two senders never take the same row, and a sender that dies mid-way rolls back (the row is pending
again, the in-app notification and delivery records vanish with it). The in-app notification and the delivery
records are unique per (reminder, round), so the database itself refuses a second copy. Outside channels receive
the dedup key (e-mail header, SMS Idempotency-Key) so a provider can drop the one resend that can follow a crash
between the provider's answer and our commit. A kind's `still_relevant` rule (reminders.scans) cancels a reminder
whose cause went away before it was sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from . import customer_messages, delivery, messages
from .models import (
    Audience,
    Channel,
    CustomerMessagingPreference,
    Delivery,
    DeliveryStatus,
    Notification,
    ProviderStatus,
    Reminder,
    ReminderSettings,
    ReminderState,
)
from .scans import still_relevant

logger = logging.getLogger(__name__)


def _deliver_staff(reminder: Reminder) -> list[str]:
    user = reminder.owner
    title, body = messages.render(reminder, language=user.language)
    done = list(reminder.channels_done)
    if Channel.IN_APP not in done:
        Notification.objects.create(
            user=user, reminder=reminder, round=reminder.round, title=title, body=body, url=messages.link(reminder)
        )
        done.append(Channel.IN_APP)
        reminder.channels_done = done  # kept even if the e-mail below fails
    if user.email and Channel.EMAIL not in done:
        delivery.send_email(to=user.email, subject=title, body=body, key=f"{reminder.dedup_key}#{reminder.round}")
        Delivery.objects.create(reminder=reminder, channel=Channel.EMAIL, to=user.email, round=reminder.round)
        done.append(Channel.EMAIL)
    return done


def _deliver_customer(reminder: Reminder, pref: CustomerMessagingPreference) -> list[str]:
    customer = reminder.customer
    title, body = customer_messages.render(reminder, language=pref.language)
    key = f"{reminder.dedup_key}#{reminder.round}"
    result = None
    if pref.channel == Channel.EMAIL:
        to = pref.email or customer.email
        if not to:
            raise delivery.DeliveryError("the customer has no e-mail address", permanent=True)
        delivery.send_email(to=to, subject=title, body=body, key=key)
    else:
        to = pref.phone or customer.phone
        if not to:
            raise delivery.DeliveryError("the customer has no phone number", permanent=True)
        result = delivery.send_sms(to=to, body=f"{title}: {body}", key=key)
    Delivery.objects.create(
        reminder=reminder,
        channel=pref.channel,
        to=to,
        round=reminder.round,
        provider_message_id=(result.message_id if result else "")[:64],
        provider_status=(
            result.status if result and result.status in ProviderStatus.values else ProviderStatus.ACCEPTED
        ),
        provider_detail=(result.detail if result else "")[:200],
    )
    return [pref.channel]


def _claim(now: dt.datetime) -> Reminder | None:
    return (
        Reminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("owner", "customer")
        .filter(status=DeliveryStatus.PENDING, send_after__lte=now)
        .exclude(state=ReminderState.SNOOZED)  # snoozed before it was sent: it goes out when it wakes up
        .order_by("send_after", "id")
        .first()
    )


@transaction.atomic
def reminder_send_next(*, now: dt.datetime | None = None) -> str | None:
    """Claim one due reminder, deliver it and record the outcome, all in one transaction.

    Returns "sent", "retry", "failed", "deferred", "cancelled", or None when nothing is due.
    """
    now = now or timezone.now()
    reminder = _claim(now)
    if reminder is None:
        return None
    cfg = ReminderSettings.load()
    if reminder.state == ReminderState.DONE or not still_relevant(reminder):
        reminder.status = DeliveryStatus.CANCELLED
        reminder.save(update_fields=["status", "updated_at"])
        return "cancelled"
    pref = None
    if reminder.audience == Audience.CUSTOMER:
        pref = CustomerMessagingPreference.objects.filter(customer_id=reminder.customer_id, opted_in=True).first()
        if pref is None:  # consent withdrawn since the scan
            reminder.status = DeliveryStatus.CANCELLED
            reminder.last_error = "customer did not opt in"
            reminder.save(update_fields=["status", "last_error", "updated_at"])
            return "cancelled"
        allowed = delivery.next_allowed_time(now, start=cfg.quiet_start, end=cfg.quiet_end)
        if allowed > now:  # never at night: wait for the end of the quiet hours
            reminder.send_after = allowed
            reminder.save(update_fields=["send_after", "updated_at"])
            return "deferred"
    try:
        if pref is not None:
            reminder.channels_done = _deliver_customer(reminder, pref)
        else:
            reminder.channels_done = _deliver_staff(reminder)
    except delivery.DeliveryError as exc:
        reminder.attempts += 1
        reminder.last_error = str(exc)[:2000]
        if reminder.attempts >= cfg.max_attempts or exc.permanent:  # a wrong number stays wrong: no retry
            reminder.status = DeliveryStatus.FAILED
            outcome = "failed"
        else:
            backoff = cfg.retry_base_seconds * 2 ** (reminder.attempts - 1)
            reminder.send_after = now + dt.timedelta(seconds=backoff)
            outcome = "retry"
        logger.warning("reminder %s delivery %s: %s", reminder.dedup_key, outcome, exc)
        reminder.save(update_fields=["attempts", "last_error", "status", "send_after", "channels_done", "updated_at"])
        return outcome
    reminder.status = DeliveryStatus.SENT
    reminder.sent_at = now
    reminder.attempts += 1
    reminder.last_error = ""
    reminder.save(update_fields=["status", "sent_at", "attempts", "last_error", "channels_done", "updated_at"])
    return "sent"


def reminders_send_due(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Send due reminders one transaction each, until none is left or `limit` were handled."""
    counts: dict[str, int] = {}
    for _i in range(limit):
        outcome = reminder_send_next(now=now)
        if outcome is None:
            break
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
