"""The dashboard for any past month, quarter or year, beside the same period last year (statistics over time)."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import SalespersonFactory
from customers.tests.factories import CustomerFactory
from reports.selectors.dashboard import dashboard_data, parse_on
from reports.services.summaries import summary_refresh
from sales.models import Payment
from sales.tests.factories import ContractFactory

from ..clock import NOW

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


def test_parse_on_reads_years_quarters_months_and_days_and_never_goes_past_today():
    assert parse_on("2025", period="year", today=TODAY) == dt.date(2025, 12, 31)
    assert parse_on("2025-Q2", period="quarter", today=TODAY) == dt.date(2025, 6, 30)
    assert parse_on("2025-q1", period="month", today=TODAY) == dt.date(2025, 1, 31)
    assert parse_on("2025-02", period="month", today=TODAY) == dt.date(2025, 2, 28)
    assert parse_on("2024-02-10", period="month", today=TODAY) == dt.date(2024, 2, 29)
    assert parse_on("2026-11", period="month", today=TODAY) == TODAY  # the current month: as of today
    for bad in ("", None, "2025-13", "20x5", "2025-Q5", "1850", "9999-01-01", ["2025"]):
        assert parse_on(bad, period="month", today=TODAY) == TODAY


@pytest.fixture
def two_years(salesperson, finance):
    c = CustomerFactory(owner=salesperson)
    pay = {"recorded_by": finance}
    for signed, amount, paid in (
        (dt.date(2024, 3, 10), Decimal("40000"), Decimal("10000")),
        (dt.date(2024, 11, 20), Decimal("10000"), None),
        (dt.date(2025, 3, 12), Decimal("50000"), Decimal("30000")),
        (dt.date(2025, 7, 1), Decimal("20000"), None),
        (dt.date(2026, 3, 2), Decimal("99000"), None),
    ):
        k = ContractFactory(customer=c, status="signed", signed_on=signed, amount=amount)
        if paid:
            Payment.objects.create(contract=k, paid_on=signed + dt.timedelta(days=5), amount=paid, **pay)
    summary_refresh()
    return salesperson


def test_a_past_year_beside_the_year_before(gm, two_years):
    d = dashboard_data(user=gm, period="year", on="2025", now=NOW)
    assert d.is_past and d.as_of == dt.date(2025, 12, 31) and d.receivables_as_of == TODAY
    year = d.selected
    assert (year.start, year.end, year.label) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025")
    assert year.sales == Decimal("70000") and year.collected == Decimal("30000")
    assert year.last_year["sales"] == Decimal("50000") and year.last_year["collected"] == Decimal("10000")
    assert year.change["sales"] == Decimal("40.0")  # (70,000 − 50,000) ÷ 50,000
    assert year.change["collected"] == Decimal("200.0")  # (30,000 − 10,000) ÷ 10,000
    # The month and quarter are those holding the picked day: December 2025 and Q4 2025, nothing sold.
    assert d.periods[0].label == "2025-12" and d.periods[0].sales == 0
    assert d.periods[0].last_year["sales"] == Decimal("0") and d.periods[0].change["sales"] is None
    assert d.trend[-1]["month"] == "2025-12" and len(d.trend) == 12
    assert sum(r["sales"] for r in d.trend) == Decimal("70000")  # the trend ends with the picked period
    assert d.ranking[0]["sales"] == Decimal("70000")


def test_a_past_month_and_quarter(gm, two_years):
    d = dashboard_data(user=gm, period="month", on="2025-03", now=NOW)
    assert d.selected.sales == Decimal("50000") and d.selected.last_year["sales"] == Decimal("40000")
    assert d.selected.change["sales"] == Decimal("25.0")
    q = dashboard_data(user=gm, period="quarter", on="2025-Q1", now=NOW).selected
    assert q.label == "2025 Q1" and q.sales == Decimal("50000") and q.change["collected"] == Decimal("200.0")


def test_the_current_year_compares_with_last_year_to_date(gm, two_years):
    year = dashboard_data(user=gm, period="year", now=NOW).selected
    assert year.sales == Decimal("99000")
    # Last year up to the same month (January–November 2025): 70,000.
    assert year.last_year["sales"] == Decimal("70000") and year.change["sales"] == Decimal("41.4")


def test_a_past_year_costs_no_more_queries_than_today(gm, two_years, django_assert_max_num_queries):
    with django_assert_max_num_queries(19):  # +1: the breakdowns; +1: units with their own report cut-off
        dashboard_data(user=gm, period="year", on="2025", now=NOW)
    for _ in range(15):
        sp = SalespersonFactory(unit=two_years.unit)
        ContractFactory(
            customer=CustomerFactory(owner=sp), status="signed", signed_on=dt.date(2025, 5, 5), amount=Decimal("10")
        )
    summary_refresh()
    with django_assert_max_num_queries(19):  # +1: the breakdowns; +1: units with their own report cut-off
        d = dashboard_data(user=gm, period="year", on="2025", now=NOW)
    assert d.selected.sales == Decimal("70150")


def test_the_page_and_its_exports_read_the_picked_period(client, gm, salesperson, two_years, settings):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    settings.REPORTS_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(gm)
    page = client.get(reverse("reports:dashboard") + "?period=year&on=2025")
    assert page.status_code == 200 and page.context["data"].selected.sales == Decimal("70000")
    assert b'id="as-of"' in page.content and b'data-stat="yoy-year"' in page.content
    xlsx = client.get(reverse("reports:dashboard_export", args=["periods"]) + "?period=year&on=2025")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    year = next(r for r in rows if r[0] == "2025")
    assert Decimal(str(year[1])) == Decimal("70000") and Decimal(str(year[12])) == Decimal("40")
    # The API answers the same, and a salesperson's picked past year is their own.
    client.force_login(salesperson)
    api = client.get("/api/v1/dashboard/?period=year&on=2025").json()
    assert api["as_of"] == "2025-12-31" and api["periods"][2]["change"]["sales"] == "40.0"
    assert client.get(reverse("reports:dashboard") + "?period=year&on=garbage").status_code == 200


def test_breakdowns_by_product_region_tier_and_method_with_last_year(gm, salesperson, finance):
    from reports.breakdowns import dimensions
    from sales.tests.factories import ContractLineFactory, ProductFactory

    pump, valve = ProductFactory(code="P1", name="泵"), ProductFactory(code="P2", name="閥")
    north = CustomerFactory(owner=salesperson, region="北區", tier="member", member_level="金")
    south = CustomerFactory(owner=salesperson, region="南區")
    for customer, on, lines in (
        (north, dt.date(2025, 3, 3), [(pump, "2", "1000"), (valve, "1", "500")]),  # 2,500 in March 2025
        (south, dt.date(2025, 3, 20), [(valve, "4", "500")]),  # 2,000
        (north, dt.date(2024, 3, 9), [(pump, "1", "1000")]),  # 1,000 a year earlier
    ):
        k = ContractFactory(
            customer=customer, status="signed", signed_on=on, amount=sum(Decimal(q) * Decimal(p) for _, q, p in lines)
        )
        for product, q, p in lines:
            ContractLineFactory(contract=k, product=product, quantity=Decimal(q), unit_price=Decimal(p))
    summary_refresh()
    d = dashboard_data(user=gm, period="month", on="2025-03", now=NOW)
    dims = {b["key"]: b for b in d.breakdowns}
    assert [b["key"] for b in d.breakdowns] == [dim.key for dim in dimensions()]
    products = {r["label"]: r for r in dims["product"]["rows"]}
    assert products["P2 閥"]["amount"] == Decimal("2500") and products["P2 閥"]["quantity"] == Decimal("5")
    assert products["P1 泵"]["amount"] == Decimal("2000") and products["P1 泵"]["last_year"] == Decimal("1000")
    assert products["P1 泵"]["change"] == Decimal("100.0")
    regions = {r["label"]: r["amount"] for r in dims["region"]["rows"]}
    assert regions == {"北區": Decimal("2500"), "南區": Decimal("2000")}
    tiers = {r["key"]: r for r in dims["tier"]["rows"]}
    assert tiers["member"]["amount"] == Decimal("2500") and tiers["member"]["last_year"] == Decimal("1000")
    assert tiers["ordinary"]["change"] is None  # nothing a year earlier
    assert dims["region"]["total"] == Decimal("4500") and dims["region"]["change"] == Decimal("350.0")
    for method in ("settlement", "sales_method"):  # recorded once the sales app has the fields (branch r-rules13)
        assert dims[method]["available"] or dims[method]["rows"] == []


def test_past_years_top_customers_are_summarised_and_survive_the_recent_refresh(gm, two_years):
    from reports.models import TopCustomerSummary

    past = TopCustomerSummary.objects.filter(period_type="year", period_start=dt.date(2025, 1, 1))
    assert past.filter(unit__isnull=True, owner__isnull=True).get().amount == Decimal("70000")
    assert TopCustomerSummary.objects.filter(period_type="quarter", period_start=dt.date(2024, 1, 1)).exists()
    summary_refresh(since=dt.date(2026, 10, 1))  # the ten-minute refresh: this year only
    assert past.exists()
    d = dashboard_data(user=gm, period="year", on="2025", now=NOW)
    assert d.top_customers[0]["amount"] == Decimal("70000")
