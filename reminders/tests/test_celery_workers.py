"""Two real Celery workers on real Redis and the real (test) PostgreSQL database.

* the scan and the sender run at the same time in both workers over 1,000 due reminders: each is delivered
  exactly once;
* a worker is killed with SIGKILL in the middle of sending and restarted: nothing is lost, nothing is sent
  twice (in-app notifications and delivery records are exactly once in the database; the "provider" log may
  hold the message the dead worker handed over just before dying, with the same idempotency key, which a
  provider with idempotency keys drops — the test counts it and bounds it by the dead worker's concurrency).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import SalespersonFactory
from crm.celery import app
from customers.models import Customer
from reminders.models import Delivery, DeliveryStatus, Notification, Reminder, ReminderKind
from sales.models import Contract, ContractStatus

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
TIMEOUT = 90


def _db_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def workers(tmp_path):
    log = tmp_path / "delivery.log"
    r = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    r.flushdb()  # our own Redis database: no stale task messages from an earlier run
    started: dict[str, subprocess.Popen] = {}

    def start(name: str, *, delay: float = 0.0, concurrency: int = 2) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "reminders.tests.worker_settings",
            "DATABASE_URL": _db_url(),
            "TEST_CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CRM_TEST_BROKER_FIXED": "1",
            "DELIVERY_LOG": str(log),
            "DELIVERY_DELAY": str(delay),
        }
        proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "crm",
                "worker",
                "-Q",
                "reminders",
                "-c",
                str(concurrency),
                "-n",
                f"{name}@%h",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool children too
            stdout=open(tmp_path / f"{name}.out", "ab"),
            stderr=subprocess.STDOUT,
        )
        started[f"{name}-{proc.pid}"] = proc
        return proc

    def kill(proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    yield start, kill, log
    for proc in started.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
    r.flushdb()


def _send(task: str, times: int) -> None:
    for _ in range(times):
        app.send_task(task, queue="reminders")


def _wait(predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pending() -> int:
    return Reminder.objects.filter(status=DeliveryStatus.PENDING).count()


def _log_keys(log: Path) -> list[tuple[str, int]]:
    if not log.exists():
        return []
    return [(k, int(pid)) for k, pid in (line.split() for line in log.read_text().splitlines())]


def _assert_exactly_once(total: int) -> None:
    assert Reminder.objects.count() == total
    assert Reminder.objects.filter(status=DeliveryStatus.SENT).count() == total
    assert Notification.objects.count() == total
    assert Notification.objects.values("reminder").distinct().count() == total
    assert Delivery.objects.count() == total  # one e-mail record per reminder
    assert Delivery.objects.values("reminder").distinct().count() == total


def test_two_workers_scan_and_send_1000_reminders_exactly_once(workers):
    start, _kill, log = workers
    people = [SalespersonFactory() for _ in range(5)]
    customers = Customer.objects.bulk_create(
        [Customer(name=f"C{i}", owner=people[i % 5], unit=people[i % 5].unit) for i in range(20)]
    )
    signed = timezone.localdate() - dt.timedelta(days=10)
    Contract.objects.bulk_create(
        [
            Contract(
                number=f"W{i:05d}",
                customer=customers[i % 20],
                owner=customers[i % 20].owner,
                unit=customers[i % 20].unit,
                status=ContractStatus.SIGNED,
                signed_on=signed,
                filing_due_on=signed + dt.timedelta(days=3),
            )
            for i in range(1000)
        ]
    )
    start("wa")
    start("wb")
    # scans and senders at the same time, in both workers
    for _ in range(3):
        _send("reminders.scan", 1)
        _send("reminders.send_due", 2)
    _wait(
        lambda: Reminder.objects.filter(kind=ReminderKind.CONTRACT_FILING).count() == 1000 and _pending() == 0,
        "all reminders sent",
    )
    time.sleep(1)  # let any straggling task finish: it must find nothing to do
    assert _pending() == 0
    total = Reminder.objects.count()  # 1,000 filing reminders (+ daily-report ones after 18:00 local)
    assert total >= 1000
    _assert_exactly_once(total)
    keys = Counter(k for k, _pid in _log_keys(log))
    assert len(keys) == total
    assert max(keys.values()) == 1
    assert len({pid for _k, pid in _log_keys(log)}) >= 2  # the work really was shared between processes


def test_worker_killed_mid_sending_loses_nothing_and_sends_nothing_twice(workers):
    start, kill, log = workers
    people = [SalespersonFactory() for _ in range(5)]
    now = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(
                kind=ReminderKind.NEXT_STEP,
                dedup_key=f"crash:{i}",
                owner=people[i % 5],
                due_on=now.date(),
                send_after=now,
                params={"customer": f"C{i}", "next_step": "call", "date": str(now.date())},
            )
            for i in range(1000)
        ]
    )
    victim = start("wa", delay=0.01)
    start("wb", delay=0.01)
    _send("reminders.send_due", 4)
    _wait(lambda: Reminder.objects.filter(status=DeliveryStatus.SENT).count() >= 300, "a third sent")
    kill(victim)  # SIGKILL the whole worker (main process and pool children) in the middle of sending
    sent_at_kill = Reminder.objects.filter(status=DeliveryStatus.SENT).count()
    assert sent_at_kill < 1000
    victim_pids = {pid for _k, pid in _log_keys(log)}
    start("wa2", delay=0.01)
    _send("reminders.send_due", 2)  # what beat does every minute
    _wait(lambda: _pending() == 0, "all reminders sent after the restart")
    time.sleep(1)
    _assert_exactly_once(1000)
    entries = _log_keys(log)
    keys = Counter(k for k, _pid in entries)
    assert set(keys) == {f"crash:{i}#0" for i in range(1000)}  # nothing lost
    duplicates = sum(n - 1 for n in keys.values())
    # at most the messages the dead worker's two processes had handed over but not committed
    assert duplicates <= 2, duplicates
    assert victim_pids  # the killed worker really was sending
    print(f"\nsent before the kill: {sent_at_kill}; provider-side resends (same idempotency key): {duplicates}")
