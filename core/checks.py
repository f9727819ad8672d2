"""System checks for deployment mistakes that Django's own checks do not see.

core.E001 / core.E002: under production settings (settings.PRODUCTION) e-mail or SMS would only be printed, kept
in memory or written to a file, so customers and staff silently get nothing. ALLOW_CONSOLE_DELIVERY=true accepts
that on purpose (a trial install).
core.E003: the cache and the Celery broker share one Redis database, so clearing the cache drops queued tasks."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

NON_DELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
NON_DELIVERING_SMS_BACKENDS = {
    "core.sms.ConsoleSMSBackend",
    "core.sms.LocmemSMSBackend",
    "core.sms.FileSMSBackend",
}
OPT_OUT_HINT = "Set ALLOW_CONSOLE_DELIVERY=true only if nothing should really be delivered (a trial install)."


@register()
def check_delivery_backends(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False) or getattr(settings, "ALLOW_CONSOLE_DELIVERY", False):
        return []
    errors = []
    if settings.EMAIL_BACKEND in NON_DELIVERING_EMAIL_BACKENDS:
        errors.append(
            Error(
                f"E-mail is not delivered in production: EMAIL_BACKEND is {settings.EMAIL_BACKEND}.",
                hint=f"Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@host:587. {OPT_OUT_HINT}",
                id="core.E001",
            )
        )
    if settings.SMS_BACKEND in NON_DELIVERING_SMS_BACKENDS:
        errors.append(
            Error(
                f"SMS is not delivered in production: SMS_BACKEND is {settings.SMS_BACKEND}.",
                hint="Set SMS_BACKEND to your SMS provider's backend (a subclass of core.sms.BaseSMSBackend). "
                + OPT_OUT_HINT,
                id="core.E002",
            )
        )
    return errors


def _redis_databases(value: Any) -> set[tuple[str, int, int]]:
    """(host, port, db) of each Redis URL in value (a URL, a comma-separated list or a list of URLs)."""
    urls = value.split(",") if isinstance(value, str) else list(value or [])
    found = set()
    for url in urls:
        parts = urlsplit(url.strip())
        if parts.scheme in ("redis", "rediss"):
            db = parts.path.strip("/") or "0"
            found.add((parts.hostname or "localhost", parts.port or 6379, int(db) if db.isdigit() else 0))
    return found


@register()
def check_cache_and_broker_apart(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    broker = _redis_databases(getattr(settings, "CELERY_BROKER_URL", "") or "")
    errors = []
    for alias, cache in settings.CACHES.items():
        shared = broker & _redis_databases(cache.get("LOCATION", ""))
        if shared:
            host, port, db = sorted(shared)[0]
            errors.append(
                Error(
                    f"The cache {alias!r} and the Celery broker share Redis database {db} on {host}:{port}: "
                    "clearing the cache would drop queued tasks.",
                    hint="Point CACHE_URL at another database, e.g. the broker's URL ending in /1.",
                    id="core.E003",
                )
            )
    return errors
