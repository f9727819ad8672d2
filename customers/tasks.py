"""Thin Celery tasks of the customers app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="customers.tasks.pool_sweep")
def pool_sweep() -> dict:
    """Nightly (django-celery-beat, editable by admins): warn about idle customers and release them to the pool."""
    from .services import pool_sweep as sweep

    result = sweep()
    return {"warned": result.warned, "released": result.released, "cleared": result.cleared}
