import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from reports.models import DailyReport, Plan
from reports.services.daily_reports import daily_report_save
from reports.services.plans import plan_save

pytestmark = pytest.mark.django_db(transaction=True)
NOW = dt.datetime(2026, 11, 16, 17, 0, tzinfo=ZoneInfo("Asia/Taipei"))


def _race(fn, n=2):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait()
            fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_simultaneous_first_saves_make_one_report(salesperson):
    errors = _race(
        lambda i: daily_report_save(
            author=salesperson, date=NOW.date(), data={"results": f"tab {i}"}, submit=True, now=NOW
        )
    )
    assert errors == []
    report = DailyReport.objects.get(author=salesperson, date=NOW.date())
    assert report.results in ("tab 0", "tab 1") and report.submitted_at == NOW


def test_two_simultaneous_plans_make_one_plan(salesperson):
    errors = _race(
        lambda i: plan_save(author=salesperson, kind="weekly", period_start=NOW.date(), data={"goals": f"g{i}"})
    )
    assert errors == []
    assert Plan.objects.filter(author=salesperson).count() == 1


def test_two_managers_creating_the_company_target_make_one(admin_user, gm):
    from decimal import Decimal

    from reports.models import Target
    from reports.services.targets import target_save

    actors = [admin_user, gm]
    errors = _race(
        lambda i: target_save(
            actor=actors[i], unit=None, period_type="year", period_start=dt.date(2026, 1, 1), amount=Decimal(100 + i)
        )
    )
    assert errors == []
    assert Target.objects.filter(unit=None).count() == 1


def test_overlapping_summary_refreshes_never_duplicate_rows(salesperson):
    from decimal import Decimal

    from customers.tests.factories import CustomerFactory
    from reports.models import CustomerSalesMonthly, PerformanceMonthly
    from reports.services.summaries import summary_refresh
    from sales.tests.factories import ContractFactory

    for n in range(5):
        ContractFactory(
            customer=CustomerFactory(owner=salesperson),
            status="signed",
            signed_on=timezone.localdate(),  # this month: the refresh also writes the open month's rows
            amount=Decimal(n + 1),
        )
    errors = _race(lambda i: summary_refresh(), n=3)
    assert errors == []
    assert PerformanceMonthly.objects.count() == 1
    assert PerformanceMonthly.objects.get().sales_amount == Decimal("15")
    assert CustomerSalesMonthly.objects.count() == 5
