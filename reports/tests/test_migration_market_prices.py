"""The daily report's single competitor fields and the field app's market-report prices move into the one price
table (reports.MarketPrice) without losing anything, and back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.tests.factories import SalespersonFactory
from sales.tests.factories import ProductFactory

BEFORE = [("reports", "0011_merge_20261203_2243"), ("field", "0001_marketing_plans_market_reports")]
AFTER = [("reports", "0013_daily_report_prices_are_market_prices"), ("field", "0003_market_prices_moved_to_reports")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_daily_and_market_report_prices_are_carried_over_without_loss():
    person = SalespersonFactory()
    product = ProductFactory()
    try:
        old = _migrate(BEFORE)
        Daily = old.get_model("reports", "DailyReport")
        day = dt.date(2026, 10, 5)
        full = Daily.objects.create(
            author_id=person.pk, unit_id=person.unit_id, date=day, competitor="東元", competitor_product="馬達 X",
            competitor_price=Decimal("16800.00"),
        )  # fmt: skip
        named = Daily.objects.create(
            author_id=person.pk, unit_id=person.unit_id, date=day.replace(day=6), competitor="大同"
        )
        zero = Daily.objects.create(
            author_id=person.pk, unit_id=person.unit_id, date=day.replace(day=7), competitor_price=Decimal("0")
        )
        Daily.objects.create(author_id=person.pk, unit_id=person.unit_id, date=day.replace(day=8))  # nothing seen
        Report = old.get_model("field", "MarketReport")
        OldPrice = old.get_model("field", "MarketPrice")
        report = Report.objects.create(
            author_id=person.pk, unit_id=person.unit_id, date=day, place="台中", region="中區", kind="patrol"
        )
        OldPrice.objects.create(
            report=report, product_id=product.pk, competitor="大華", competitor_product="F1", tier="second",
            price=Decimal("900.00"),
        )  # fmt: skip

        new = _migrate(AFTER)
        Price = new.get_model("reports", "MarketPrice")
        daily = {
            p.daily_report_id: (p.competitor, p.competitor_product, p.price, p.tier, p.product_id, p.date)
            for p in Price.objects.filter(daily_report__isnull=False)
        }
        assert daily == {
            full.pk: ("東元", "馬達 X", Decimal("16800.00"), "", None, day),
            named.pk: ("大同", "", None, "", None, day.replace(day=6)),
            zero.pk: ("", "", Decimal("0.00"), "", None, day.replace(day=7)),
        }
        [moved] = Price.objects.filter(document="field.report")
        assert (moved.document_id, moved.product_id, moved.competitor, moved.competitor_product) == (
            report.pk,
            product.pk,
            "大華",
            "F1",
        )
        assert (moved.tier, moved.price, moved.region, moved.date, moved.author_id) == (
            "second",
            Decimal("900.00"),
            "中區",
            day,
            person.pk,
        )

        back = _migrate(BEFORE)  # and back again: the first price returns to the daily report's fields
        restored = back.get_model("reports", "DailyReport").objects.get(pk=full.pk)
        assert (restored.competitor, restored.competitor_price) == ("東元", Decimal("16800.00"))
        assert back.get_model("field", "MarketPrice").objects.get().price == Decimal("900.00")
    finally:  # every app back to its latest migration (not just AFTER: later migrations depend on these)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
