"""The request parameters read once for the pages and the API: the dashboard's and the evaluation period."""

import datetime as dt

from django.http import QueryDict

from reports.periods import parse_period
from reports.selectors.dashboard import DashboardQuery

TODAY = dt.date(2026, 5, 20)


def test_parse_period_falls_back_to_this_month_and_normalises_the_start():
    assert parse_period("quarter", "2026-05-20", today=TODAY) == ("quarter", dt.date(2026, 4, 1))
    assert parse_period("year", None, today=TODAY) == ("year", dt.date(2026, 1, 1))
    assert parse_period("decade", "20x6-01-01", today=TODAY) == ("month", dt.date(2026, 5, 1))
    assert parse_period(["month"], 20260101, today=TODAY) == ("month", dt.date(2026, 5, 1))
    assert parse_period("week", "2026-05-20", today=TODAY) == ("month", dt.date(2026, 5, 1))


def test_dashboard_query_keeps_the_raw_ids_and_the_drill_down():
    query = DashboardQuery.from_query(QueryDict("period=&unit=3&salesperson=&customer=abc"))
    assert query == DashboardQuery(period="month", unit_id="3", salesperson_id="", customer_id="abc")
    assert query.as_kwargs() == {
        "period": "month",
        "unit_id": "3",
        "salesperson_id": "",
        "customer_id": "abc",
        "on": None,
    }
    assert query.scope_query() == "unit=3&customer=abc"
    assert DashboardQuery.from_query({}).scope_query() == ""
