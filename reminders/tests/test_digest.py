"""The daily e-mail digest (one e-mail per user per day, in their language, can be switched off) and the first scan
right after a worker starts."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail

from accounts.tests.factories import SalespersonFactory
from reminders.digest import digest_set, digests_send
from reminders.models import DigestSent, Notification

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 4, tzinfo=dt.UTC)  # 12:00 in Taipei


def _note(user, title, **kw):
    return Notification.objects.create(user=user, title=title, body="body of " + title, **kw)


@time_machine.travel(NOON)
def test_each_user_gets_one_digest_of_todays_unread_in_their_language():
    zh = SalespersonFactory(language="zh-hant")
    en = SalespersonFactory(language="en")
    _note(zh, "報價單 Q1 已駁回")
    _note(zh, "報價單 Q2 已核准")
    _note(en, "Quote Q3 approved")
    _note(en, "already read", read_at=dt.datetime(2026, 5, 4, 3, tzinfo=dt.UTC))
    assert digests_send() == 2
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to[zh.email].subject == "今天有 2 則未讀通知"
    assert "報價單 Q1 已駁回" in by_to[zh.email].body and "報價單 Q2 已核准" in by_to[zh.email].body
    assert by_to[en.email].subject == "1 unread notification today"
    assert "already read" not in by_to[en.email].body
    assert digests_send() == 0  # a second run sends nothing twice
    assert len(mail.outbox) == 2 and DigestSent.objects.count() == 2


@time_machine.travel(NOON)
def test_digest_can_be_switched_off_and_skips_other_days():
    off = SalespersonFactory()
    digest_set(user=off, daily_digest=False)
    _note(off, "switched off")
    yesterday = SalespersonFactory()
    n = _note(yesterday, "old news")
    Notification.objects.filter(pk=n.pk).update(created_at=NOON - dt.timedelta(days=1))
    assert digests_send() == 0
    assert mail.outbox == []


def test_digest_is_a_beat_row():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # The row the migration creates (a database flushed by a transactional test may lack it).
    importlib.import_module("reminders.migrations.0006_digest_schedule").forwards(apps, None)

    task = PeriodicTask.objects.get(task="reminders.send_digests")
    assert task.enabled and task.crontab.hour == "18"


def test_a_started_worker_enqueues_one_scan():
    from reminders.signals import scan_once_on_start

    with mock.patch("reminders.tasks.scan.apply_async") as enqueue:
        scan_once_on_start(sender=None)
    enqueue.assert_called_once_with(queue="reminders")


def test_the_first_scan_can_be_switched_off(settings):
    from reminders.signals import scan_once_on_start

    settings.REMINDERS_SCAN_ON_WORKER_START = False
    with mock.patch("reminders.tasks.scan.apply_async") as enqueue:
        scan_once_on_start(sender=None)
    enqueue.assert_not_called()
