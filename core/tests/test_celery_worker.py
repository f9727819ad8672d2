"""A real Celery worker on a real Redis: tasks enqueued on commit run once; rolled-back ones never run."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from core.models import TaskHeartbeat
from core.tasks import heartbeat
from crm.celery import app

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker():
    app.control.purge()
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for_runs(token: str, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        beat = TaskHeartbeat.objects.filter(token=token).first()
        if beat and beat.runs:
            return beat.runs
        time.sleep(0.1)
    return 0


class Boom(Exception):
    pass


def test_task_enqueued_in_committed_transaction_runs_exactly_once(celery_worker):
    token = uuid.uuid4().hex
    with transaction.atomic():
        heartbeat.delay_on_commit(token)
        # Nothing is sent before the commit.
        assert not TaskHeartbeat.objects.filter(token=token).exists()
    assert wait_for_runs(token) == 1
    # A marker task enqueued afterwards has run, so a duplicate of the first would have run by now as well.
    marker = uuid.uuid4().hex
    heartbeat.delay(marker)
    assert wait_for_runs(marker) == 1
    assert TaskHeartbeat.objects.get(token=token).runs == 1


def test_task_enqueued_in_rolled_back_transaction_never_runs(celery_worker):
    token = uuid.uuid4().hex
    with pytest.raises(Boom), transaction.atomic():
        heartbeat.delay_on_commit(token)
        raise Boom
    marker = uuid.uuid4().hex
    heartbeat.delay(marker)
    assert wait_for_runs(marker) == 1  # the worker is alive and has drained the queue up to here
    assert not TaskHeartbeat.objects.filter(token=token).exists()


def test_healthz_reports_all_up_with_a_worker(celery_worker, client, admin_user):
    # The worker proves itself by running the heartbeat task (beat schedules it every 5 minutes).
    heartbeat.delay("beat")
    assert wait_for_runs("beat") == 1
    client.force_login(admin_user)
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"] and checks["worker"]["ok"]
