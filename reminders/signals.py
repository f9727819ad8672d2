"""A worker that has just started enqueues one reminder scan, so a fresh deployment (or demo) does not wait for the
first 15-minute beat tick before the bell shows anything. Scans are idempotent (unique dedup keys)."""

from __future__ import annotations

from celery.signals import worker_ready
from django.conf import settings


@worker_ready.connect(dispatch_uid="reminders.first_scan")
def scan_once_on_start(sender=None, **kwargs) -> None:
    """Off with REMINDERS_SCAN_ON_WORKER_START = False (the worker tests count every reminder they make)."""
    if not getattr(settings, "REMINDERS_SCAN_ON_WORKER_START", True):
        return
    from .tasks import scan

    scan.apply_async(queue="reminders")
