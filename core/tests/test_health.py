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
