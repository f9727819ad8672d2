"""The daily e-mail digest: each user gets one e-mail of the day's unread notifications, in their language.

On unless the user switched it off (`NotificationPreference.daily_digest`). `DigestSent(user, day)` is unique,
written in the same transaction as the send, so a re-run of the task (or two beat runs) sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .delivery import send_email
from .handoffs import muted_actions
from .models import DigestSent, Notification, NotificationPreference


def local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def digest_set(*, user, daily_digest: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"daily_digest": daily_digest})
    return pref


def wants_digest(user) -> bool:
    pref = NotificationPreference.objects.filter(user=user).values_list("daily_digest", flat=True).first()
    return True if pref is None else pref


def _body(user, notifications: list[Notification]) -> tuple[str, str]:
    subject = ngettext(
        "%(count)d unread notification today", "%(count)d unread notifications today", len(notifications)
    ) % {"count": len(notifications)}
    lines = [_("Hello %(name)s,") % {"name": user.get_full_name()}, ""]
    for n in notifications:
        lines.append(f"• {n.title}")
        if n.body:
            lines.append(f"  {n.body}")
    lines += ["", _("You can switch this daily e-mail off on the notification settings page.")]
    return subject, "\n".join(lines)


def digests_send(*, day: dt.date | None = None) -> int:
    """Send the digest of `day` (default: today, local time) to everyone with unread notifications that day."""
    day = day or timezone.localdate()
    start, end = local_day_bounds(day)
    unread_today = Notification.objects.filter(
        user=OuterRef("pk"), read_at__isnull=True, created_at__gte=start, created_at__lt=end
    )
    switched_off = NotificationPreference.objects.filter(user=OuterRef("pk"), daily_digest=False)
    already = DigestSent.objects.filter(user=OuterRef("pk"), day=day)
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Exists(unread_today))
        .exclude(Exists(switched_off))
        .exclude(Exists(already))
    )
    sent = 0
    for user in users.iterator():
        notes_qs = Notification.objects.filter(
            user=user, read_at__isnull=True, created_at__gte=start, created_at__lt=end
        )
        muted = muted_actions(
            NotificationPreference.objects.filter(user=user).values_list("digest_muted", flat=True).first() or []
        )
        if muted:
            notes_qs = notes_qs.exclude(activity__action__in=muted)
        notes = list(notes_qs.order_by("created_at", "id"))
        if not notes:
            continue  # every unread notification of the day is of a kind the user keeps out of the e-mail
        try:
            with transaction.atomic():
                DigestSent.objects.create(user=user, day=day, count=len(notes))
                with translation.override(user.language or "zh-hant"):
                    subject, body = _body(user, notes)
                send_email(to=user.email, subject=subject, body=body, key=f"digest:user:{user.pk}:{day}")
        except IntegrityError:
            continue  # another run sent it
        sent += 1
    return sent
