from unittest import mock

import pytest

from reminders import tasks
from reminders.models import DeliveryStatus, Notification

from .factories import ReminderFactory

pytestmark = pytest.mark.django_db


def test_task_names_route_to_the_reminders_queue(settings):
    assert tasks.scan.name == "reminders.scan"
    assert tasks.send_due.name == "reminders.send_due"
    assert settings.CELERY_TASK_ROUTES["reminders.*"] == {"queue": "reminders"}


def test_scan_task_scans_then_asks_for_a_send():
    with mock.patch.object(tasks.send_due, "delay_on_commit") as enqueue:
        result = tasks.scan()
    assert "reorder" in result
    enqueue.assert_called_once_with()


def test_send_task_runs_the_sender_and_is_harmless_twice(salesperson):
    r = ReminderFactory(owner=salesperson)
    assert tasks.send_due() == {"sent": 1}
    assert tasks.send_due() == {}
    r.refresh_from_db()
    assert r.status == DeliveryStatus.SENT
    assert Notification.objects.filter(reminder=r).count() == 1


def test_beat_schedules_are_database_rows():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("reminders.migrations.0002_schedules")
    migration.forwards(apps, None)  # the rows the migration creates (a flushed test database may lack them)
    importlib.import_module("reminders.migrations.0006_digest_schedule").forwards(apps, None)
    tasks_by_name = {t.task: t for t in PeriodicTask.objects.filter(task__startswith="reminders.")}
    assert set(tasks_by_name) == {"reminders.scan", "reminders.send_due", "reminders.send_digests"}
    assert all(t.enabled and t.queue == "reminders" for t in tasks_by_name.values())
