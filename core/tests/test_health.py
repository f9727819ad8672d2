import pytest

pytestmark = pytest.mark.django_db


def test_healthz_is_503_and_names_celery_when_no_worker_answers(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["redis"]["ok"] is True
    assert body["celery"]["ok"] is False
    assert body["status"] == "fail"


def test_healthz_is_503_when_redis_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False
    assert body["celery"]["detail"] == "broker down"


def test_healthz_on_the_postgresql_broker_uses_the_heartbeat(client, settings):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from core.services import heartbeat_record

    settings.CELERY_BROKER_URL = "sqla+postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    assert client.get("/healthz").json()["celery"]["ok"] is False
    heartbeat_record(token="beat")
    body = client.get("/healthz").json()
    assert body["celery"]["ok"] is True and body["redis"]["ok"] is True
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=12)):
        assert client.get("/healthz").status_code == 503
