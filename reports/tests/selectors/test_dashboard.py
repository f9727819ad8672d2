"""The dashboard from the summary tables (selectors.dashboard)."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import SalespersonFactory
from customers.tests.factories import CustomerFactory
from reports.selectors.dashboard import dashboard_data
from reports.selectors.scope import ScopeNotFound
from reports.services.summaries import summary_refresh
from sales.models import Shipment
from sales.tests.factories import ContractFactory

from ..clock import NOW
from ..factories import DailyReportFactory

pytestmark = pytest.mark.django_db


def test_dashboard_from_summaries_per_role(book, manager, gm, other_salesperson, teammate):
    summary_refresh()
    ContractFactory(
        customer=CustomerFactory(owner=other_salesperson),
        status="signed",
        signed_on=dt.date(2026, 11, 3),
        amount=Decimal("7"),
    )
    summary_refresh(since=dt.date(2026, 11, 1))
    d = dashboard_data(user=book, now=NOW)
    month = d.selected
    assert d.scope.level == "salesperson"
    assert month.sales == Decimal("100000") and month.collected == Decimal("50000") and month.visits == 3
    assert month.target == Decimal("200000") and month.completion == Decimal("50.0")
    assert month.compliance == Decimal("60.0")
    assert d.ranking == []
    assert {b["key"]: b["amount"] for b in d.overdue}["31-60"] == Decimal("50000")  # due 10 Oct, 37 days late
    assert d.top_customers[0]["amount"] == Decimal("100000")
    dm = dashboard_data(user=manager, now=NOW)
    assert dm.selected.sales == Decimal("100000")
    assert [r["id"] for r in dm.ranking] == [book.pk, teammate.pk]
    assert dm.selected.target == Decimal("1000000")
    dg = dashboard_data(user=gm, now=NOW, period="year")
    assert dg.selected.sales == Decimal("230007")  # B (Oct) + A (Nov) + E (Aug) + the other unit's 7
    assert len(dg.units) == 2
    # Drill-down: gm -> unit -> salesperson -> customer.
    assert dashboard_data(user=gm, unit_id=book.unit_id, now=NOW).scope.level == "unit"
    assert dashboard_data(user=gm, salesperson_id=book.pk, now=NOW).selected.sales == Decimal("100000")
    customer = d.top_customers[0]["id"]
    dc = dashboard_data(user=manager, customer_id=customer, now=NOW)
    assert dc.scope.level == "customer" and dc.selected.sales == Decimal("100000")
    # c1: 30,000 on A + 20,000 on B collected in November; three visits
    assert dc.selected.collected == Decimal("50000") and dc.selected.visits == 3
    # Out of scope: 404 material.
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=manager, salesperson_id=other_salesperson.pk, now=NOW)
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=other_salesperson, customer_id=customer, now=NOW)
    with pytest.raises(ScopeNotFound):
        dashboard_data(user=manager, unit_id=other_salesperson.unit_id, now=NOW)


def test_dashboard_queries_do_not_grow_with_the_data(gm, manager, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            sp = SalespersonFactory(unit=manager.unit)
            c = ContractFactory(
                customer=CustomerFactory(owner=sp), status="signed", signed_on=dt.date(2026, 11, 3), amount=Decimal("5")
            )
            Shipment.objects.create(contract=c, shipped_on=dt.date(2026, 9, 1))
            DailyReportFactory(author=sp, date=dt.date(2026, 11, 2))
        summary_refresh()

    grow(2)
    # + the receivables policy (aging buckets) + the breakdowns (product, region, tier, methods)
    with django_assert_max_num_queries(19):
        dashboard_data(user=gm, now=NOW)
    with django_assert_max_num_queries(18):  # +1: the breakdowns (product, region, tier, methods)
        dashboard_data(user=manager, now=NOW)
    grow(15)
    with django_assert_max_num_queries(19):  # +1: the breakdowns; +1: units with their own report cut-off
        d = dashboard_data(user=gm, now=NOW)
    assert len(d.ranking) == 17


def test_top_customers_summary_matches_the_live_ranking(salesperson, teammate, other_salesperson, gm, manager):
    amounts = [Decimal(v) for v in (500, 300, 900, 100, 700, 200, 800, 400, 600, 1000, 50, 950)]
    owners = [salesperson, teammate, other_salesperson]
    for n, amount in enumerate(amounts):
        owner = owners[n % 3]
        ContractFactory(
            customer=CustomerFactory(owner=owner), status="signed", signed_on=dt.date(2026, 11, 3), amount=amount
        )
    summary_refresh(today=dt.date(2026, 11, 16))
    from reports.models import TopCustomerSummary

    assert TopCustomerSummary.objects.filter(unit__isnull=True, owner__isnull=True, period_type="month").count() == 10
    company = dashboard_data(user=gm, now=NOW).top_customers
    assert [c["amount"] for c in company] == sorted(amounts, reverse=True)[:10]
    team = dashboard_data(user=manager, now=NOW).top_customers
    team_amounts = sorted((a for n, a in enumerate(amounts) if n % 3 != 2), reverse=True)
    assert [c["amount"] for c in team] == team_amounts
    mine = dashboard_data(user=salesperson, now=NOW, period="year").top_customers
    assert [c["amount"] for c in mine] == sorted((a for n, a in enumerate(amounts) if n % 3 == 0), reverse=True)
