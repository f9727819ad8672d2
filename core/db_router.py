"""Past one database server: dashboards, reports and exports read from a streaming replica.

Active only when settings.DATABASES has a "replica" alias (DATABASE_REPLICA_URL). Reads go to the replica only
inside ``replica_reads()`` — opened by ReplicaReadsMiddleware for GET/HEAD requests to the paths in
settings.REPLICA_READ_PATHS (dashboards, reports, exports) and usable by tasks that build read-only reports.
Everything else reads and writes the primary, and so does a browser for REPLICA_PIN_SECONDS after it wrote
something (a cookie set on every unsafe request): whoever just saved reads their own write, never a lagging copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "crm_primary"
_use_replica: ContextVar[bool] = ContextVar("crm_use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside this block go to the replica (when one is configured); writes still go to the primary."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        # Inside a transaction on the primary (a service reading what it will write, select_for_update) reads
        # stay there: a replica is read-only and may lag.
        if _use_replica.get() and replica_configured() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaReadsMiddleware:
    """Open replica_reads() for safe requests to the report paths; pin a browser to the primary after a write."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.paths = [re.compile(p) for p in getattr(settings, "REPLICA_READ_PATHS", [])]
        self.pin_seconds = int(getattr(settings, "REPLICA_PIN_SECONDS", 10))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            response = self.get_response(request)
            if replica_configured():
                response.set_cookie(PIN_COOKIE, "1", max_age=self.pin_seconds, httponly=True, samesite="Lax")
            return response
        if (
            replica_configured()
            and PIN_COOKIE not in request.COOKIES
            and any(p.search(request.path_info) for p in self.paths)
        ):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
