"""What people do with their reminders: snooze, done, reopen, retry a failed delivery."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError

from .models import Audience, DeliveryStatus, Notification, Reminder, ReminderState


def _lock_own(reminder_id: int, actor: User) -> Reminder:
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id, owner=actor, audience=Audience.STAFF).first()
    if reminder is None:
        raise ApplicationError(_("Only the person reminded can change this reminder."), code="not_yours")
    return reminder


@transaction.atomic
def reminder_snooze(*, reminder_id: int, actor: User, until: dt.datetime) -> Reminder:
    now = timezone.now()
    if timezone.is_naive(until):
        raise ApplicationError(_("Give a time with a time zone."), field="until", code="naive")
    if until <= now:
        raise ApplicationError(_("Snooze until a time in the future."), field="until", code="past")
    if until > now + dt.timedelta(days=90):
        raise ApplicationError(_("Snooze for at most 90 days."), field="until", code="too_far")
    reminder = _lock_own(reminder_id, actor)
    if reminder.state == ReminderState.DONE:
        raise ApplicationError(_("This reminder is already done."), field="state", code="done")
    reminder.state = ReminderState.SNOOZED
    reminder.snoozed_until = until
    reminder.save(update_fields=["state", "snoozed_until", "updated_at"])
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(read_at=now)
    return reminder


@transaction.atomic
def reminder_done(*, reminder_id: int, actor: User) -> Reminder:
    now = timezone.now()
    reminder = _lock_own(reminder_id, actor)
    reminder.state = ReminderState.DONE
    reminder.done_at = now
    reminder.snoozed_until = None
    reminder.save(update_fields=["state", "done_at", "snoozed_until", "updated_at"])
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(read_at=now)
    return reminder


@transaction.atomic
def reminder_reopen(*, reminder_id: int, actor: User) -> Reminder:
    reminder = _lock_own(reminder_id, actor)
    reminder.state = ReminderState.OPEN
    reminder.done_at = None
    reminder.snoozed_until = None
    reminder.save(update_fields=["state", "done_at", "snoozed_until", "updated_at"])
    return reminder


@transaction.atomic
def reminder_retry(*, reminder_id: int, actor: User) -> Reminder:
    """Put a failed delivery back in the queue (admins, or the person it is for)."""
    reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
    if reminder is None or not (actor.is_admin_role or reminder.owner_id == actor.pk):
        raise ApplicationError(_("You cannot retry this reminder."), code="not_yours")
    if reminder.status != DeliveryStatus.FAILED:
        raise ApplicationError(_("Only failed deliveries can be retried."), field="status", code="not_failed")
    reminder.status = DeliveryStatus.PENDING
    reminder.attempts = 0
    reminder.send_after = timezone.now()
    reminder.save(update_fields=["status", "attempts", "send_after", "updated_at"])
    return reminder
