"""Settings helpers for running in production: the cache, the logs and error tracking (Sentry).

Imported by the settings modules, so nothing here may touch django.conf.settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import environ

REDIS_SCHEMES = ("redis", "rediss")


def cache_url_for(redis_url: str) -> str:
    """The default cache URL: REDIS_URL's server, the next database (broker on db 0 → cache on db 1).

    Without a Redis broker (the PostgreSQL fallback of `make run`) the cache is in local memory."""
    parts = urlsplit(redis_url)
    if parts.scheme not in REDIS_SCHEMES:
        return "locmemcache://"
    db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db + 1) % 16}"))


def cache_config(url: str, *, timeout_seconds: float = 0.5) -> dict[str, Any]:
    """A CACHES entry for url. A Redis cache is django-redis with IGNORE_EXCEPTIONS: when Redis is down every
    get is a miss and every set is skipped (and logged), so pages degrade instead of failing with a 500; short
    socket timeouts keep a Redis that does not answer from holding a request up."""
    config = environ.Env.cache_url_config(url)
    if urlsplit(url).scheme in REDIS_SCHEMES:
        config["BACKEND"] = "django_redis.cache.RedisCache"
        options = config.setdefault("OPTIONS", {})
        options.setdefault("IGNORE_EXCEPTIONS", True)
        options.setdefault("SOCKET_CONNECT_TIMEOUT", timeout_seconds)
        options.setdefault("SOCKET_TIMEOUT", timeout_seconds)
    return config


def logging_config(*, json_lines: bool, level: str = "INFO") -> dict[str, Any]:
    """Logging to stderr, every record with the current request id (django-guid; None outside a request).

    json_lines: one JSON object per line (python-json-logger) with time (UTC), level, logger, message and request_id;
    otherwise a plain line for people."""
    formatter: dict[str, Any]
    if json_lines:
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level},
        # django-guid logs every request's id at INFO; the id is on every line already.
        "loggers": {"django_guid": {"level": "WARNING"}},
    }


def init_sentry(*, dsn: str, environment: str, release: str | None, traces_sample_rate: float) -> bool:
    """Start Sentry error tracking when a DSN is given (Django, Celery and logging integrations are enabled
    automatically); no personal data is sent. Returns whether Sentry was started."""
    if not dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
    )
    return True
