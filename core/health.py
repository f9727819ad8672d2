"""Health endpoints.

/healthz/live   liveness: the process answers; no I/O at all.
/healthz/ready  readiness: the database answers, the broker is reachable (short timeouts) and a worker recorded a
                heartbeat (TaskHeartbeat) within settings.HEALTH_HEARTBEAT_MAX_AGE_MINUTES. No Celery ping: a
                request never waits on a broadcast round trip.
/healthz        the same as /healthz/ready (older probes).

Anyone gets {"status": "ok" | "unavailable"} with 200 / 503. Staff (is_staff or the admin role) also get each
check, with a short error code ("timeout", "refused", …) — never the exception text, which goes to the log."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import TaskHeartbeat

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Check:
    ok: bool
    error: str = ""  # a short code, never exception text

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok} if self.ok else {"ok": False, "error": self.error}


def error_code(exc: BaseException) -> str:
    """A short, safe name for why a dependency failed."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (TimeoutError, socket.timeout)) or type(seen).__name__.endswith("TimeoutError"):
            return "timeout"
        if isinstance(seen, ConnectionRefusedError):
            return "refused"
        if isinstance(seen, socket.gaierror):
            return "unknown_host"
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    for needle, code in (
        ("refused", "refused"),
        ("timed out", "timeout"),
        ("timeout", "timeout"),
        ("authentication", "auth"),
        ("password", "auth"),
        ("name or service not known", "unknown_host"),
        ("could not translate host name", "unknown_host"),
    ):
        if needle in text:
            return code
    return "error"


def _failed(name: str, exc: BaseException) -> Check:
    code = error_code(exc)
    logger.warning("health check %s failed (%s)", name, code, exc_info=exc)
    return Check(ok=False, error=code)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return _failed("database", exc)
    return Check(ok=True)


def check_broker(timeout: float = BROKER_TIMEOUT_SECONDS) -> Check:
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("redis"):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from crm.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001
        return _failed("broker", exc)
    return Check(ok=True)


def last_heartbeat_at() -> dt.datetime | None:
    return TaskHeartbeat.objects.order_by("-last_run_at").values_list("last_run_at", flat=True).first()


def check_worker(last: dt.datetime | None) -> Check:
    """A worker ran a task recently: the heartbeat task (scheduled by beat every 5 minutes) or a worker start."""
    if last is None:
        return Check(ok=False, error="no_heartbeat")
    if last < timezone.now() - dt.timedelta(minutes=settings.HEALTH_HEARTBEAT_MAX_AGE_MINUTES):
        return Check(ok=False, error="stale_heartbeat")
    return Check(ok=True)


def may_see_details(request: HttpRequest) -> bool:
    try:  # loading the signed-in user needs the database, which may be the thing that is down
        user = request.user
        return bool(user.is_authenticated and (user.is_staff or getattr(user, "role", None) == "admin"))
    except Exception:  # noqa: BLE001
        return False


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    database = check_database()
    last = last_heartbeat_at() if database.ok else None
    checks = {
        "database": database,
        "broker": check_broker(),
        "worker": check_worker(last) if database.ok else Check(ok=False, error="database_down"),
    }
    healthy = all(check.ok for check in checks.values())
    body: dict[str, object] = {"status": "ok" if healthy else "unavailable"}
    if may_see_details(request):
        details = {name: check.as_dict() for name, check in checks.items()}
        details["worker"]["last_heartbeat_at"] = last.isoformat() if last else None
        body["checks"] = details
    return JsonResponse(body, status=200 if healthy else 503)
