"""Thin Celery tasks (queue "reminders"). State lives in PostgreSQL rows, so a task may run twice harmlessly.

No ETA/countdown tasks: the broker's visibility timeout would re-run them. Periodic schedules are
django-celery-beat rows (see migration 0002), editable by admins.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="reminders.scan")
def scan() -> dict:
    result = services.reminders_scan()
    send_due.delay_on_commit()
    return result


@shared_task(name="reminders.send_due")
def send_due(limit: int = 1000) -> dict:
    return services.reminders_send_due(limit=limit)


@shared_task(name="reminders.send_digests")
def send_digests() -> int:
    from .digest import digests_send

    return digests_send()
