"""Production settings: delivery checks, cache/broker apart, Sentry only with a DSN, JSON logs with a request id,
gunicorn from the environment, and beat's liveness file."""

import datetime as dt
import importlib
import io
import json
import logging
import logging.config
import os
import runpy
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks

from crm.observability import cache_config, cache_url_for, init_sentry, logging_config

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "crm.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "crm.example.com",
}


def check_ids() -> set[str]:
    return {message.id for message in run_checks()}


# ---- system checks -------------------------------------------------------------------------------------------


def test_console_delivery_is_an_error_under_production_settings(settings):
    settings.PRODUCTION = True
    settings.ALLOW_CONSOLE_DELIVERY = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND = "core.sms.ConsoleSMSBackend"
    assert {"core.E001", "core.E002"} <= check_ids()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "core.sms.FileSMSBackend"
    assert {"core.E001", "core.E002"} <= check_ids()


def test_real_delivery_or_the_explicit_opt_out_passes(settings):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_BACKEND = "acme.sms.ProviderSMSBackend"
    assert not {"core.E001", "core.E002"} & check_ids()
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SMS_BACKEND = "core.sms.ConsoleSMSBackend"
    settings.ALLOW_CONSOLE_DELIVERY = True
    assert not {"core.E001", "core.E002"} & check_ids()


def test_console_delivery_is_fine_outside_production(settings):
    settings.PRODUCTION = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert "core.E001" not in check_ids()


def test_a_cache_sharing_the_brokers_redis_database_is_an_error(settings):
    settings.CELERY_BROKER_URL = "redis://redis:6379/0"
    settings.CACHES = {"default": cache_config("redis://redis:6379/0")}
    assert "core.E003" in check_ids()
    settings.CACHES = {"default": cache_config("redis://redis:6379/1")}
    assert "core.E003" not in check_ids()


def test_the_default_cache_url_is_the_next_database_on_the_brokers_server():
    assert cache_url_for("redis://redis:6379/0") == "redis://redis:6379/1"
    assert cache_url_for("redis://:secret@redis:6380/3") == "redis://:secret@redis:6380/4"
    assert cache_url_for("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    assert cache_url_for("") == "locmemcache://"  # make run without Redis: Celery on PostgreSQL, cache in memory


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env.update(PRODUCTION_ENV)
    for key in ("EMAIL_URL", "SMS_BACKEND", "ALLOW_CONSOLE_DELIVERY", "CACHE_URL", "CELERY_BROKER_URL", "SENTRY_DSN"):
        full_env.pop(key, None)
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_with_console_delivery_fail_the_check():
    result = run_manage("check", "--deploy")
    assert result.returncode != 0
    assert "core.E001" in result.stderr and "core.E002" in result.stderr
    assert "ALLOW_CONSOLE_DELIVERY" in result.stderr
    opted_out = run_manage("check", "--deploy", "--fail-level", "WARNING", ALLOW_CONSOLE_DELIVERY="true")
    assert opted_out.returncode == 0, opted_out.stdout + opted_out.stderr


# ---- Sentry ----------------------------------------------------------------------------------------------------


def load_production_settings(monkeypatch, **env: str):
    for key, value in {**PRODUCTION_ENV, **env}.items():
        monkeypatch.setenv(key, value)
    sys.modules.pop("crm.settings.production", None)
    try:
        return importlib.import_module("crm.settings.production")
    finally:
        sys.modules.pop("crm.settings.production", None)


def test_sentry_starts_only_when_a_dsn_is_set(monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("SENTRY_DSN", raising=False)
    assert load_production_settings(monkeypatch).SENTRY_ENABLED is False
    assert calls == []

    dsn = "https://public@sentry.example.com/1"
    module = load_production_settings(monkeypatch, SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="staging")
    assert module.SENTRY_ENABLED is True
    assert len(calls) == 1
    assert calls[0]["dsn"] == dsn and calls[0]["environment"] == "staging"
    assert calls[0]["send_default_pii"] is False


def test_init_sentry_without_a_dsn_does_nothing(monkeypatch):
    import sentry_sdk

    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: pytest.fail("sentry_sdk.init called"))
    assert init_sentry(dsn="", environment="production", release=None, traces_sample_rate=0.0) is False


def test_production_logs_as_json_by_default(monkeypatch):
    module = load_production_settings(monkeypatch)
    assert module.LOGGING["formatters"]["default"]["()"] == "pythonjsonlogger.json.JsonFormatter"


# ---- JSON logs with a request id -----------------------------------------------------------------------------


@pytest.fixture
def json_logs():
    """The production logging configuration, its console handler writing into a buffer; the test settings'
    configuration afterwards."""
    logging.config.dictConfig(logging_config(json_lines=True, level="INFO"))
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    handler.setStream(buffer)
    yield buffer
    logging.config.dictConfig(django_settings.LOGGING)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_log_line_is_json_and_carries_the_request_id(client, json_logs):
    request_id = uuid.uuid4().hex
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=request_id)
    assert response.status_code == 404
    assert response["X-Request-ID"] == request_id  # echoed
    records = json_lines(json_logs.getvalue())
    not_found = [r for r in records if r["logger"] == "django.request"]
    assert not_found, records
    assert not_found[0]["request_id"] == request_id
    assert not_found[0]["level"] == "WARNING"
    assert "Not Found" in not_found[0]["message"]
    assert dt.datetime.fromisoformat(not_found[0]["time"]).utcoffset() == dt.timedelta(0)


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/healthz/live")["X-Request-ID"]
    second = client.get("/healthz/live")["X-Request-ID"]
    assert first and second and first != second
    # Anything but a UUID is not trusted (no log injection through the header): a new id is made.
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID="evil\nline")["X-Request-ID"] != "evil\nline"


# ---- gunicorn ----------------------------------------------------------------------------------------------------


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == 5 and conf["timeout"] == 45
    assert conf["bind"] == "0.0.0.0:8000"
    assert "x-request-id" in conf["access_log_format"]


def test_gunicorn_accepts_the_config_file():
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = subprocess.run(
        [str(gunicorn), "--print-config", "crm.wsgi"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "max_requests_jitter" in result.stdout


# ---- beat's liveness file and the container health checks ------------------------------------------------------


def test_beat_touches_its_heartbeat_file_on_every_tick(settings, tmp_path, monkeypatch):
    from django_celery_beat.schedulers import DatabaseScheduler

    from core.beat import HeartbeatDatabaseScheduler

    settings.CELERY_BEAT_HEARTBEAT_FILE = str(tmp_path / "beat.alive")
    monkeypatch.setattr(DatabaseScheduler, "tick", lambda self, *a, **kw: 5.0)
    scheduler = HeartbeatDatabaseScheduler.__new__(HeartbeatDatabaseScheduler)
    assert scheduler.tick() == 5.0
    assert (tmp_path / "beat.alive").exists()


def healthcheck(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "scripts/healthcheck.py", *args],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_beat_health_check_fails_when_beat_is_dead(tmp_path):
    alive = tmp_path / "beat.alive"
    assert healthcheck("beat", CELERY_BEAT_HEARTBEAT_FILE=str(alive)).returncode == 1  # never ticked
    alive.touch()
    assert healthcheck("beat", CELERY_BEAT_HEARTBEAT_FILE=str(alive)).returncode == 0
    old = time.time() - 600
    os.utime(alive, (old, old))  # beat stopped ticking ten minutes ago
    result = healthcheck("beat", CELERY_BEAT_HEARTBEAT_FILE=str(alive))
    assert result.returncode == 1 and "last tick" in result.stderr


def test_the_web_health_check_fails_when_nothing_answers():
    result = healthcheck("web", PORT="1", HEALTHCHECK_TIMEOUT="2")
    assert result.returncode == 1 and "no answer" in result.stderr
