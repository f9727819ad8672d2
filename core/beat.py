"""Celery beat's scheduler with a liveness file: django-celery-beat's DatabaseScheduler that touches
settings.CELERY_BEAT_HEARTBEAT_FILE after every tick (at least every few seconds while beat runs). The container's
health check (`scripts/healthcheck.py beat`) fails when the file is older than a minute or two, so a dead or stuck
beat shows up as unhealthy — a process check would pass for a hung beat, or for none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler


def touch_heartbeat_file(path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


class HeartbeatDatabaseScheduler(DatabaseScheduler):
    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        touch_heartbeat_file(settings.CELERY_BEAT_HEARTBEAT_FILE)
        return interval
