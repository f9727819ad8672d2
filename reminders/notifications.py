"""The notification centre (the bell): marking in-app notifications read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exceptions import ApplicationError

from .models import Notification


@transaction.atomic
def notification_mark_read(*, notification_id: int, actor: User) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id, user=actor).first()
    if notification is None:
        raise ApplicationError(_("No such notification."), code="not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=timezone.now())
