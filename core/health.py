"""/healthz: database, Redis and Celery worker status as JSON; 200 only when all are up."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import TaskHeartbeat


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, str(exc)[:200]


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("redis"):
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        else:
            from crm.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=1)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, str(exc)[:200]


def check_celery(timeout: float = 1.0) -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        # Brokers without broadcast (the PostgreSQL fallback) cannot ping: a recent heartbeat task is the proof.
        recent = timezone.now() - dt.timedelta(minutes=11)
        if TaskHeartbeat.objects.filter(last_run_at__gte=recent).exists():
            return True, "heartbeat task ran in the last 11 minutes"
        return False, "no heartbeat task ran in the last 11 minutes"
    try:
        from crm.celery import app

        replies = app.control.ping(timeout=timeout)
        if replies:
            return True, f"{len(replies)} worker(s)"
        return False, "no worker answered"
    except Exception as exc:  # noqa: BLE001
        return False, str(exc)[:200]


@never_cache
def healthz(request):
    checks = {"database": check_database(), "redis": check_broker()}
    # Pinging workers needs the broker.
    checks["celery"] = check_celery() if checks["redis"][0] else (False, "broker down")
    body = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    if checks["database"][0]:
        last = TaskHeartbeat.objects.order_by("-last_run_at").values_list("last_run_at", flat=True).first()
        body["celery"]["last_task_at"] = last.isoformat() if last else None
    healthy = all(ok for ok, _ in checks.values())
    body["status"] = "ok" if healthy else "fail"
    return JsonResponse(body, status=200 if healthy else 503)
