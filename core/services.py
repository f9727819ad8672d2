from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import TaskHeartbeat


@transaction.atomic
def heartbeat_record(*, token: str) -> TaskHeartbeat:
    """Count one run of the heartbeat task for this token (row-locked upsert)."""
    beat, _ = TaskHeartbeat.objects.select_for_update().get_or_create(token=token)
    TaskHeartbeat.objects.filter(pk=beat.pk).update(runs=F("runs") + 1, last_run_at=timezone.now())
    beat.refresh_from_db()
    return beat
