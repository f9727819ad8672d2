"""The periodic scan: every registered kind's scan, then snoozed reminders woken and resolved ones closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Audience, DeliveryStatus, Reminder, ReminderSettings, ReminderState
from .registry import registered


def scan_all(*, now: dt.datetime | None = None, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Find everything due and insert it as reminder rows (idempotent: run it as often as you like)."""
    now = now or timezone.now()
    cfg = ReminderSettings.load()
    result = {}
    for rules in registered():
        if kinds is not None and rules.kind not in kinds:
            continue
        with transaction.atomic():
            result[str(rules.kind)] = rules.scan(now=now, cfg=cfg)
    result["woken"] = reminders_wake_snoozed(now=now)
    result["resolved"] = reminders_auto_resolve(now=now)
    return result


def reminders_wake_snoozed(*, now: dt.datetime) -> int:
    """Snoozed reminders whose time came back: due again and delivered again (a new round)."""
    return Reminder.objects.filter(state=ReminderState.SNOOZED, snoozed_until__lte=now).update(
        state=ReminderState.OPEN,
        snoozed_until=None,
        status=DeliveryStatus.PENDING,
        send_after=now,
        round=F("round") + 1,
        attempts=0,
        channels_done=[],
        last_error="",
        updated_at=now,
    )


def reminders_auto_resolve(*, now: dt.datetime) -> int:
    """Close open reminders whose cause went away (each kind's resolve rule): contract filed, daily report
    submitted, receivable paid, pool-release warning cleared, unit's cards filed."""
    live = Reminder.objects.filter(state__in=[ReminderState.OPEN, ReminderState.SNOOZED], audience=Audience.STAFF)
    close = dict(state=ReminderState.DONE, done_at=now, snoozed_until=None, updated_at=now)
    return sum(
        rules.resolve(live.filter(kind=rules.kind), now=now, close=close) for rules in registered() if rules.resolve
    )
