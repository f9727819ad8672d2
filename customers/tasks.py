"""Thin Celery tasks of the customers app: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="customers.tasks.pool_sweep")
def pool_sweep() -> dict:
    """Nightly (django-celery-beat, editable by admins): warn about idle customers and release them to the pool."""
    from .services import pool_sweep as sweep

    result = sweep()
    return {"warned": result.warned, "released": result.released, "cleared": result.cleared}


@shared_task(name="customers.tasks.import_apply")
def import_apply(batch_id: int) -> dict:
    """Apply a customer import claimed by ``imports.import_queue``; the batch row records progress and report."""
    from .imports import import_run

    batch = import_run(batch_id=batch_id)
    return {"batch": batch.pk, "status": batch.status, "rows": batch.progress}
