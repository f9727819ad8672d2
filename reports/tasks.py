"""Thin Celery tasks of the reports app: they call a service and nothing else."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from .periods import add_months, month_start


@shared_task(name="reports.refresh_dashboard_recent")
def refresh_dashboard_recent(months_back: int = 1) -> str:
    """Rebuild the summary tables from the start of the previous month (frequent: every few minutes)."""
    from .services.summaries import summary_refresh

    since = add_months(month_start(timezone.localdate()), -int(months_back))
    state = summary_refresh(since=since)
    return f"{since}: {state.duration_ms} ms"


@shared_task(name="reports.refresh_dashboard_full")
def refresh_dashboard_full(since: str | None = None) -> str:
    """Rebuild the summary tables over all history (nightly: picks up late changes to old months)."""
    from .services.summaries import summary_refresh

    state = summary_refresh(since=dt.date.fromisoformat(since) if since else None)
    return f"full: {state.duration_ms} ms"
