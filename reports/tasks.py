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
    """Nightly: picks up late changes to old months. Incremental — only the (month, salesperson) cells touched
    since the last refresh — unless `since` is given (a rebuild from that day; "all" for the whole history)."""
    from .services.summaries import summary_refresh, summary_refresh_incremental

    if since is None:
        state = summary_refresh_incremental()
        return f"incremental: {state.duration_ms} ms"
    state = summary_refresh(since=None if since == "all" else dt.date.fromisoformat(since))
    return f"from {since}: {state.duration_ms} ms"
