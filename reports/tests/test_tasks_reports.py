import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from reports.models import PerformanceMonthly, SummaryState
from reports.tasks import refresh_dashboard_full, refresh_dashboard_recent
from sales.tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def test_refresh_tasks_rebuild_the_summaries(salesperson):
    today = timezone.localdate()
    old = today.replace(day=1) - dt.timedelta(days=70)
    ContractFactory(customer=CustomerFactory(owner=salesperson), status="filed", signed_on=old, amount=Decimal("11"))
    ContractFactory(customer=CustomerFactory(owner=salesperson), status="signed", signed_on=today, amount=Decimal("7"))
    refresh_dashboard_recent.apply()
    assert list(PerformanceMonthly.objects.values_list("sales_amount", flat=True)) == [Decimal("7")]
    refresh_dashboard_full.apply()
    assert sorted(PerformanceMonthly.objects.values_list("sales_amount", flat=True)) == [Decimal("7"), Decimal("11")]
    assert SummaryState.objects.get(name="dashboard").refreshed_at is not None


def test_the_beat_schedule_is_data_admins_can_edit():
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(task__startswith="reports.").delete()  # browser tests may have flushed it
    import_module("reports.migrations.0003_default_policy_and_schedule").forwards(apps, None)
    tasks = dict(PeriodicTask.objects.filter(task__startswith="reports.").values_list("task", "enabled"))
    assert tasks == {"reports.refresh_dashboard_recent": True, "reports.refresh_dashboard_full": True}


def test_the_nightly_refresh_rebuilds_only_the_months_touched_since_the_last_run(salesperson):
    from reports.services import summary_refresh_incremental
    from sales.models import Contract

    today = timezone.localdate()
    old = today.replace(day=1) - dt.timedelta(days=70)
    customer = CustomerFactory(owner=salesperson)
    contract = ContractFactory(customer=customer, status="filed", signed_on=old, amount=Decimal("11"))
    refresh_dashboard_full.apply(kwargs={"since": "all"})
    yesterday = timezone.now() - dt.timedelta(days=1)
    Contract.objects.update(updated_at=yesterday)  # nothing changed since the refresh …
    type(customer).objects.update(updated_at=yesterday)
    old_row = PerformanceMonthly.objects.get(month=old.replace(day=1))
    PerformanceMonthly.objects.filter(pk=old_row.pk).update(sales_amount=Decimal("999"))  # a marker
    summary_refresh_incremental()
    assert PerformanceMonthly.objects.get(month=old.replace(day=1)).sales_amount == Decimal("999"), "not rebuilt"
    contract.amount = Decimal("12")  # … until the old month's contract is corrected
    contract.save()
    summary_refresh_incremental()
    assert PerformanceMonthly.objects.get(month=old.replace(day=1)).sales_amount == Decimal("12")
