"""/healthz/live, /healthz/ready and /healthz (= ready): anonymous callers get only the status, staff the details."""

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from core.models import TaskHeartbeat
from core.services import heartbeat_record

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def no_heartbeats():
    """Start from no heartbeat at all (a real worker started by another test may have recorded one on start)."""
    TaskHeartbeat.objects.all().delete()


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_anonymous_callers_get_only_the_status(client):
    for url in ("/healthz", "/healthz/ready", "/healthz/live"):
        body = client.get(url).json()
        assert set(body) == {"status"}, url


def test_ready_is_503_and_names_the_worker_when_no_heartbeat_was_recorded(client, staff_client):
    response = staff_client.get("/healthz/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["broker"] == {"ok": True}
    assert body["checks"]["worker"] == {"ok": False, "error": "no_heartbeat", "last_heartbeat_at": None}


def test_ready_is_200_with_a_recent_heartbeat_and_503_once_it_is_stale(client, settings):
    heartbeat_record(token="beat")
    assert client.get("/healthz/ready").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=settings.HEALTH_HEARTBEAT_MAX_AGE_MINUTES + 1)):
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_a_dead_broker_makes_ready_503_but_live_stays_200(client, admin_user, settings):
    heartbeat_record(token="beat")
    settings.CELERY_BROKER_URL = DEAD_REDIS
    assert client.get("/healthz/live").status_code == 200
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}  # no details, no error text for anonymous callers
    assert client.get("/healthz").status_code == 503

    client.force_login(admin_user)
    checks = client.get("/healthz/ready").json()["checks"]
    assert checks["broker"] == {"ok": False, "error": "refused"}  # a short code, not the exception's text
    assert checks["database"] == {"ok": True}
    assert checks["worker"]["ok"] is True


def test_details_for_is_staff_users_but_not_for_other_signed_in_users(client, django_user_model):
    salesperson = django_user_model.objects.create_user(username="h-sales", password="pw", role="salesperson")
    client.force_login(salesperson)
    assert set(client.get("/healthz/ready").json()) == {"status"}
    staff = django_user_model.objects.create_user(username="h-staff", password="pw", role="staff", is_staff=True)
    client.force_login(staff)
    assert set(client.get("/healthz/ready").json()) == {"status", "checks"}


def test_ready_never_pings_celery_workers_and_answers_fast(client, monkeypatch):
    from crm.celery import app

    def no_ping(*args, **kwargs):
        raise AssertionError("/healthz/ready must not ping the workers")

    monkeypatch.setattr(app.control, "ping", no_ping)
    heartbeat_record(token="beat")
    started = time.perf_counter()
    assert client.get("/healthz/ready").status_code == 200
    assert time.perf_counter() - started < 0.5


def test_ready_on_the_postgresql_broker_uses_the_heartbeat(client, staff_client, settings):
    settings.CELERY_BROKER_URL = "sqla+postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    assert client.get("/healthz").json()["checks"]["worker"]["ok"] is False
    heartbeat_record(token="beat")
    body = client.get("/healthz").json()
    assert body["checks"]["worker"]["ok"] is True and body["checks"]["broker"]["ok"] is True
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=12)):
        assert client.get("/healthz").status_code == 503


def test_live_does_no_io(client, django_assert_num_queries, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_error_codes_never_carry_exception_text():
    from core.health import error_code

    assert error_code(ConnectionRefusedError("[Errno 111] Connection refused to 10.0.0.5")) == "refused"
    assert error_code(TimeoutError("timed out")) == "timeout"
    assert error_code(RuntimeError("password authentication failed for user crm")) == "auth"
    assert error_code(RuntimeError("something odd at 10.0.0.5")) == "error"
