import datetime as dt

import pytest

from customers.models import Customer, OwnershipEvent, OwnershipEventKind, PoolPolicy
from customers.services import contact_log_create, pool_sweep
from customers.tasks import pool_sweep as pool_sweep_task
from customers.tests.factories import ContactLogFactory, CustomerFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)


@pytest.fixture
def policy():
    PoolPolicy.objects.all().delete()
    return PoolPolicy.objects.create(effective_from=dt.date(2020, 1, 1), idle_days=30, warning_days=5)


def test_idle_customer_is_warned_then_released_and_logged(salesperson, policy, time_machine):
    time_machine.move_to(T0)
    idle = CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    busy = CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    time_machine.move_to(T0 + dt.timedelta(days=24))
    ContactLogFactory(customer=busy, happened_at=T0 + dt.timedelta(days=24))
    assert pool_sweep().warned == 0  # 24 days idle: not yet
    time_machine.move_to(T0 + dt.timedelta(days=26))
    result = pool_sweep()
    assert result.warned == 1 and result.released == 0
    idle.refresh_from_db()
    assert idle.release_warned_at is not None and idle.owner == salesperson
    assert pool_sweep().warned == 0  # warned once only
    time_machine.move_to(T0 + dt.timedelta(days=30, hours=1))
    assert pool_sweep().released == 0  # warned only 4 days ago
    time_machine.move_to(T0 + dt.timedelta(days=31, hours=1))
    assert pool_sweep().released == 1
    idle.refresh_from_db()
    assert idle.owner is None and idle.unit is None
    kinds = list(OwnershipEvent.objects.filter(customer=idle).order_by("created_at").values_list("kind", flat=True))
    assert kinds == [OwnershipEventKind.WARN, OwnershipEventKind.RELEASE]
    assert Customer.objects.get(pk=busy.pk).owner == salesperson


def test_contact_after_warning_keeps_the_customer(salesperson, policy, time_machine):
    time_machine.move_to(T0)
    c = CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    time_machine.move_to(T0 + dt.timedelta(days=26))
    assert pool_sweep().warned == 1
    time_machine.move_to(T0 + dt.timedelta(days=27))
    contact_log_create(customer=c, actor=salesperson, kind="call", outcome="still interested")
    c.refresh_from_db()
    assert c.release_warned_at is None
    time_machine.move_to(T0 + dt.timedelta(days=40))
    assert pool_sweep().released == 0
    assert Customer.objects.get(pk=c.pk).owner == salesperson


def test_contacts_by_someone_else_do_not_count(salesperson, manager, policy, time_machine):
    time_machine.move_to(T0)
    c = CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    ContactLogFactory(customer=c, author=manager, happened_at=T0 + dt.timedelta(days=20))
    time_machine.move_to(T0 + dt.timedelta(days=26))
    assert pool_sweep().warned == 1


def test_newly_claimed_customer_gets_a_full_period(salesperson, policy, time_machine):
    time_machine.move_to(T0)
    CustomerFactory(owner=salesperson, registered_at=T0 - dt.timedelta(days=400), owned_since=T0)
    time_machine.move_to(T0 + dt.timedelta(days=10))
    assert pool_sweep().warned == 0


def test_policy_in_force_is_the_latest_effective(salesperson, policy, time_machine):
    PoolPolicy.objects.create(effective_from=dt.date(2026, 1, 10), idle_days=10, warning_days=2)
    time_machine.move_to(T0)
    CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    time_machine.move_to(T0 + dt.timedelta(days=9))
    assert pool_sweep().warned == 1  # 9 days idle ≥ 10 − 2


def test_task_calls_the_service(salesperson, policy, time_machine):
    time_machine.move_to(T0)
    CustomerFactory(owner=salesperson, registered_at=T0, owned_since=T0)
    time_machine.move_to(T0 + dt.timedelta(days=26))
    assert pool_sweep_task.apply().get() == {"warned": 1, "released": 0, "cleared": 0}


def test_periodic_task_is_scheduled_by_migration():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    # Transactional tests flush data rows, so run the data migration's function again (it is idempotent).
    importlib.import_module("customers.migrations.0003_backfill_and_schedule").forwards(apps, None)
    importlib.import_module("customers.migrations.0003_backfill_and_schedule").forwards(apps, None)
    assert PoolPolicy.objects.filter(effective_from=dt.date(2000, 1, 1), idle_days=90).exists()
    task = PeriodicTask.objects.get(task="customers.tasks.pool_sweep")
    assert task.enabled and task.crontab is not None
